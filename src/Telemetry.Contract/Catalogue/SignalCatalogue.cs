using System.Text;
using System.Text.Json;

namespace Telemetry.Contract.Catalogue;

/// <summary>A vehicle kind and the telemetry signals it may send.</summary>
public sealed class KindDefinition
{
    internal KindDefinition(string name, FieldSet telemetry)
    {
        Name = name;
        NameUtf8 = Encoding.ASCII.GetBytes(name);
        Telemetry = telemetry;
    }

    public string Name { get; }
    internal byte[] NameUtf8 { get; }
    public FieldSet Telemetry { get; }
}

/// <summary>
/// The signal catalogue (config/signals.json) compiled into lookup tables at start-up.
/// A new kind or signal is a change to the file, not to the code.
/// </summary>
public sealed class SignalCatalogue
{
    private readonly KindDefinition[] _kinds;

    private SignalCatalogue(KindDefinition[] kinds, FieldSet eventFields, string[] eventTypes, FieldSet statusFields)
    {
        _kinds = kinds;
        EventFields = eventFields;
        EventTypes = eventTypes;
        EventTypesUtf8 = eventTypes.Select(Encoding.ASCII.GetBytes).ToArray();
        StatusFields = statusFields;
    }

    public IReadOnlyList<KindDefinition> Kinds => _kinds;
    public FieldSet EventFields { get; }
    public IReadOnlyList<string> EventTypes { get; }
    internal byte[][] EventTypesUtf8 { get; }
    public FieldSet StatusFields { get; }

    internal KindDefinition? FindKind(ReadOnlySpan<char> name)
    {
        foreach (var kind in _kinds)
            if (name.SequenceEqual(kind.Name)) return kind;
        return null;
    }

    public static SignalCatalogue Load(string path)
    {
        if (!File.Exists(path))
            throw new CatalogueException($"signal catalogue not found: {Path.GetFullPath(path)}");
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (CatalogueException e)
        {
            throw new CatalogueException($"{path}: {e.Message}");
        }
    }

    public static SignalCatalogue Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CatalogueException($"not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            var groups = new Dictionary<string, List<SignalDefinition>>();
            foreach (var group in Required(root, "signal_groups", JsonValueKind.Object).EnumerateObject())
                groups[group.Name] = ParseSignals(group.Value, $"signal_groups.{group.Name}");

            var kinds = new List<KindDefinition>();
            foreach (var kind in Required(root, "kinds", JsonValueKind.Object).EnumerateObject())
            {
                if (!IsValidKindName(kind.Name))
                    throw new CatalogueException($"kinds.{kind.Name}: a kind name must match [a-z0-9-]{{1,32}}");
                var signals = new List<SignalDefinition>();
                foreach (var groupName in kind.Value.EnumerateArray().Select(g => g.GetString()!))
                {
                    if (!groups.TryGetValue(groupName, out var group))
                        throw new CatalogueException($"kinds.{kind.Name}: unknown signal group '{groupName}' (defined: {string.Join(", ", groups.Keys)})");
                    signals.AddRange(group);
                }
                kinds.Add(new KindDefinition(kind.Name, CompileFieldSet(signals, $"kinds.{kind.Name}")));
            }
            if (kinds.Count == 0) throw new CatalogueException("kinds: at least one kind is needed");

            var events = Required(root, "event", JsonValueKind.Object);
            var eventTypes = Required(events, "types", JsonValueKind.Array).EnumerateArray().Select(t => t.GetString()!).ToArray();
            if (eventTypes.Length == 0 || eventTypes.Any(t => !IsValidKindName(t.Replace('_', '-'))))
                throw new CatalogueException("event.types: a non-empty list of names made of [a-z0-9_-]");
            var eventFields = ParseSignals(Required(events, "fields", JsonValueKind.Array), "event.fields");
            var statusFields = ParseSignals(Required(Required(root, "status", JsonValueKind.Object), "fields", JsonValueKind.Array), "status.fields");

            return new SignalCatalogue(kinds.ToArray(), CompileFieldSet(eventFields, "event.fields"), eventTypes,
                CompileFieldSet(statusFields, "status.fields"));
        }
    }

    private static readonly string[] ReservedKeys = ["ts", "seq", "type"];

    private static FieldSet CompileFieldSet(List<SignalDefinition> signals, string where)
    {
        var reserved = signals.FirstOrDefault(s => ReservedKeys.Contains(s.Key));
        if (reserved is not null)
            throw new CatalogueException($"{where}: '{reserved.Key}' is reserved by the contract and cannot be a signal");
        if (signals.Count(s => s.Required) > 1)
            throw new CatalogueException($"{where}: at most one field can be required");
        return new FieldSet(signals);
    }

    private static List<SignalDefinition> ParseSignals(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw new CatalogueException($"{where}: expected an array of signals");
        var list = new List<SignalDefinition>();
        int i = 0;
        foreach (var s in array.EnumerateArray())
        {
            string at = $"{where}[{i++}]";
            string key = Required(s, "key", JsonValueKind.String).GetString()!;
            at = $"{where}.{key}";
            if (key.Length is 0 or > 128 || key.Any(c => c < 0x21 || c > 0x7e || c == '\\'))
                throw new CatalogueException($"{at}: a key is 1-128 printable ASCII characters, no backslash");
            var typeText = Required(s, "type", JsonValueKind.String).GetString();
            SignalType type = typeText switch
            {
                "float" => SignalType.Float,
                "int" => SignalType.Int,
                "bool" => SignalType.Bool,
                "string" => SignalType.String,
                _ => throw new CatalogueException($"{at}.type: '{typeText}' is not one of float, int, bool, string"),
            };
            double min = Optional(s, "min")?.GetDouble() ?? double.NegativeInfinity;
            double max = Optional(s, "max")?.GetDouble() ?? double.PositiveInfinity;
            if (min > max) throw new CatalogueException($"{at}: min {min} is above max {max}");
            double divisor = Optional(s, "path_divisor")?.GetDouble() ?? 1;
            if (!(divisor > 0) || !double.IsFinite(divisor)) throw new CatalogueException($"{at}.path_divisor: must be a positive number");
            int maxLength = Optional(s, "max_length")?.GetInt32() ?? 256;
            if (maxLength is < 1 or > 65535) throw new CatalogueException($"{at}.max_length: must be 1-65535");
            list.Add(new SignalDefinition
            {
                Key = key,
                Path = Optional(s, "path")?.GetString(),
                Type = type,
                Unit = Optional(s, "unit")?.GetString(),
                Min = min,
                Max = max,
                PathDivisor = divisor,
                MaxLength = maxLength,
                AllowedValues = Optional(s, "values")?.EnumerateArray().Select(v => v.GetString()!).ToArray(),
                PathStrings = Optional(s, "path_strings")?.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean()),
                Required = Optional(s, "required")?.GetBoolean() ?? false,
            });
        }
        return list;
    }

    private static JsonElement Required(JsonElement parent, string name, JsonValueKind kind)
    {
        if (!parent.TryGetProperty(name, out var value))
            throw new CatalogueException($"'{name}' is missing");
        if (value.ValueKind != kind)
            throw new CatalogueException($"'{name}' must be a JSON {kind.ToString().ToLowerInvariant()}");
        return value;
    }

    private static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    internal static bool IsValidKindName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 32) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        return true;
    }
}
