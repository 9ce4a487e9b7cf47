namespace Telemetry.Contract.Catalogue;

/// <summary>The fields one stream of one kind accepts, compiled for lookup by UTF-8 key.</summary>
public sealed class FieldSet
{
    internal FieldSet(IReadOnlyList<SignalDefinition> signals)
    {
        Signals = signals;
        foreach (var signal in signals) signal.Compile();
        Keys = new KeyTable(signals.SelectMany((s, i) =>
            s.Path is null ? [(s.Key, i, false)] : new[] { (s.Key, i, false), (s.Path, i, true) }));
        RequiredIndex = signals.Select((s, i) => (s, i)).Where(p => p.s.Required).Select(p => p.i).DefaultIfEmpty(-1).First();
    }

    public IReadOnlyList<SignalDefinition> Signals { get; }
    internal KeyTable Keys { get; }
    /// <summary>Index of the one required field (status: online), or -1.</summary>
    internal int RequiredIndex { get; }
}
