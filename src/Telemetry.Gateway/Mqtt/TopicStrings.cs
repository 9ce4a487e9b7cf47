using System.Text;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// The string for a received topic name, made once per distinct ASCII topic and reused after that:
/// each vehicle publishes on a handful of topics, over and over. Not thread-safe (one receive loop).
/// </summary>
internal sealed class TopicStrings
{
    private readonly int _capacity;
    private readonly HashSet<string> _strings;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<byte>> _byUtf8;

    /// <param name="capacity">distinct topics kept; topics beyond it get a new string each time</param>
    public TopicStrings(int capacity = 100_000)
    {
        _capacity = capacity;
        _strings = new HashSet<string>(AsciiTopicComparer.Instance);
        _byUtf8 = _strings.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _strings.Count;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (_byUtf8.TryGetValue(utf8, out var known)) return known;
        var topic = Encoding.UTF8.GetString(utf8);
        if (_strings.Count < _capacity && System.Text.Ascii.IsValid(utf8)) _strings.Add(topic);
        return topic;
    }

    /// <summary>Ordinal equality, and a hash that is the same for an ASCII string and its bytes.</summary>
    private sealed class AsciiTopicComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<byte>, string>
    {
        public static readonly AsciiTopicComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);
        public bool Equals(ReadOnlySpan<byte> utf8, string other) => System.Text.Ascii.Equals(utf8, other);
        public string Create(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

        public int GetHashCode(string value)
        {
            uint hash = 2166136261;
            foreach (char c in value) hash = (hash ^ c) * 16777619;
            return (int)hash;
        }

        public int GetHashCode(ReadOnlySpan<byte> utf8)
        {
            uint hash = 2166136261;
            foreach (byte b in utf8) hash = (hash ^ b) * 16777619;
            return (int)hash;
        }
    }
}
