using System.Runtime.InteropServices;
using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Telemetry.Contract.Decoding;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Quality;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Pipeline.Batching;

/// <summary>
/// The path from a received message to acknowledged points: decode into the open batch, send full
/// or old batches to InfluxDB (several writers), and acknowledge each batch's messages strictly in
/// the order received once it is written. When <see cref="BatchingOptions.MaxPendingBatches"/> are
/// unacknowledged, <see cref="AcceptAsync"/> waits: the transport stops reading.
/// </summary>
public sealed class IngestPipeline : IDisposable
{
    private readonly PayloadDecoder _decoder;
    private readonly DiskSpool? _spool;
    private readonly SpoolOptions _spoolOptions;
    private readonly DeadLetterFile _deadLetters;
    private readonly PipelineCounters _counters;
    private readonly BatchingOptions _options;
    private readonly InfluxOptions _influx;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly QualityTracker? _quality;

    private readonly object _gate = new();
    private readonly ConcurrentQueue<Batch> _pool = new();
    private readonly Channel<Batch> _toWrite = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<Batch> _toAck = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });
    private readonly SemaphoreSlim _roomFreed = new(0);
    private Batch _open;
    private long _nextSequence;
    private int _pendingBatches;
    private volatile bool _running;

    /// <param name="spool">where batches go that InfluxDB cannot take within the retry budget; null: retried until it can</param>
    /// <param name="quality">per-vehicle accounting of every decoded sample, when given</param>
    public IngestPipeline(PayloadDecoder decoder, DiskSpool? spool, SpoolOptions spoolOptions,
        DeadLetterFile deadLetters, PipelineCounters counters, BatchingOptions options, InfluxOptions influx,
        ILogger<IngestPipeline> logger, TimeProvider? time = null, QualityTracker? quality = null)
    {
        _decoder = decoder;
        _spool = spool;
        _spoolOptions = spoolOptions;
        _deadLetters = deadLetters;
        _counters = counters;
        _options = options;
        _influx = influx;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _quality = quality;
        Failures = new WriteFailureLog(logger, _time);
        _open = new Batch();
    }

    public PipelineCounters Counters => _counters;
    /// <summary>Where rejected input goes; a source writes its own refusals here too.</summary>
    public DeadLetterFile DeadLetters => _deadLetters;
    public WriteFailureLog Failures { get; }
    public int PendingBatches => Volatile.Read(ref _pendingBatches);
    public DiskSpool? Spool => _spool;
    /// <summary>True while <see cref="RunAsync"/> runs: start-up has reached InfluxDB and batches are being written.</summary>
    public bool IsRunning => _running;

    /// <summary>
    /// Decodes one message into the open batch. Completes at once unless the pipeline is full, in which
    /// case it completes when there is room again: awaiting it is the back-pressure.
    /// </summary>
    public ValueTask AcceptAsync(ReceivedMessage message, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _pendingBatches) >= _options.MaxPendingBatches)
            return AcceptWhenRoomAsync(message, ct);
        Accept(message);
        return default;
    }

    private async ValueTask AcceptWhenRoomAsync(ReceivedMessage message, CancellationToken ct)
    {
        long started = _time.GetTimestamp();
        while (Volatile.Read(ref _pendingBatches) >= _options.MaxPendingBatches)
            await _roomFreed.WaitAsync(TimeSpan.FromMilliseconds(100), ct);
        _counters.WaitedForRoom(_time.GetElapsedTime(started));
        Accept(message);
    }

    private void Accept(in ReceivedMessage message)
    {
        var (topic, payload, retained, contentType, ack) = message;
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // A payload split over segments is copied into a pooled array for the decoder, returned once it is decoded.
        byte[]? rented = null;
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : Contiguous(payload, out rented);
        try
        {
            Decode(topic, bytes, retained, contentType, now, ack);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Decode(string topic, ReadOnlySpan<byte> bytes, bool retained, string? contentType, long now, AckHandle? ack)
    {
        lock (_gate)
        {
            var batch = _open;
            var sink = new FindingsRecorder(_deadLetters, _counters, _quality, batch.PointTimes, topic, bytes, _time);
            var outcome = _decoder.Decode(topic, bytes, retained, now, batch.Lines, ref sink, contentType);
            _counters.MessageDecoded(outcome);
            if (batch.Messages++ == 0) batch.OpenedAtMs = now;
            batch.Points += outcome.Points;
            if (ack is { } handle) batch.Acks.Add(handle);
            if (batch.Points >= _options.MaxLines || batch.Lines.Length >= _options.MaxBytes) SealOpenBatch();
        }
    }

    private static ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> payload, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(rented);
        return rented.AsSpan(0, (int)payload.Length);
    }

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private void SealOpenBatch()
    {
        var batch = _open;
        if (batch.Messages == 0) return;
        batch.Sequence = _nextSequence++;
        Interlocked.Increment(ref _pendingBatches);
        _toAck.Writer.TryWrite(batch);
        _toWrite.Writer.TryWrite(batch);
        _open = _pool.TryDequeue(out var reused) ? reused : new Batch();
    }

    /// <summary>Runs the flush timer, the writers and the acknowledgements until <paramref name="ct"/> is cancelled.</summary>
    /// <param name="writers">one per concurrent write, plus one more for spool replay when the pipeline has a spool</param>
    public async Task RunAsync(IReadOnlyList<InfluxWriter> writers, CancellationToken ct)
    {
        if (writers.Count < (_spool is null ? 1 : 2)) throw new ArgumentException("at least one writer (two with a spool) is needed", nameof(writers));
        var batchWriters = _spool is null ? writers : writers.Take(writers.Count - 1);
        var loops = batchWriters.Select(w => WriteLoopAsync(NewDelivery(w), ct)).Append(AckLoopAsync(ct)).Append(FlushTimerAsync(ct));
        if (_spool is not null) loops = loops.Append(ReplayLoopAsync(_spool, NewDelivery(writers[^1]), ct));
        _running = true;
        try
        {
            await Task.WhenAll(loops.ToArray());
        }
        finally
        {
            _running = false;
        }
    }

    private BatchDelivery NewDelivery(InfluxWriter writer) =>
        new(writer, _spool, _deadLetters, _counters, _influx, _spoolOptions, Failures, _time);

    /// <summary>Sends the open batch now and waits until every batch is written and acknowledged, or the timeout.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        lock (_gate) SealOpenBatch();
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (Volatile.Read(ref _pendingBatches) > 0)
        {
            if (_time.GetTimestamp() > deadline) return false;
            await Task.Delay(20, ct);
        }
        return true;
    }

    private async Task FlushTimerAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(5, _options.FlushIntervalMs / 4));
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                lock (_gate)
                    if (_open.Messages > 0 && now - _open.OpenedAtMs >= _options.FlushIntervalMs) SealOpenBatch();
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task WriteLoopAsync(BatchDelivery delivery, CancellationToken ct)
    {
        try
        {
            await foreach (var batch in _toWrite.Reader.ReadAllAsync(ct))
            {
                if (batch.Points > 0)
                {
                    long started = _time.GetTimestamp();
                    await delivery.DeliverAsync(batch.Lines.WrittenMemory, batch.Points, allowSpool: true, ct);
                    _counters.BatchDelivered(_time.GetElapsedTime(started));
                    _counters.PointsStored(CollectionsMarshal.AsSpan(batch.PointTimes), _time.GetUtcNow().ToUnixTimeMilliseconds());
                }
                batch.Written.TrySetResult();
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Replays spooled batches, oldest first, whenever there are any.</summary>
    private async Task ReplayLoopAsync(DiskSpool spool, BatchDelivery delivery, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var record = await spool.ReadNextAsync(ct);
                if (record is null)
                {
                    await spool.WaitForAppendAsync(TimeSpan.FromSeconds(1), ct);
                    continue;
                }
                await delivery.DeliverAsync(record.Lines, record.Points, allowSpool: false, ct);
                spool.Commit(record);
                _counters.BatchReplayed(record.Points);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task AckLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var batch in _toAck.Reader.ReadAllAsync(ct))
            {
                await batch.Written.Task.WaitAsync(ct);
                _deadLetters.Flush();
                await AcknowledgeAsync(batch.Acks, ct);
                _counters.Acked(batch.Acks.Count, batch.Messages);
                batch.Reset();
                _pool.Enqueue(batch);
                Interlocked.Decrement(ref _pendingBatches);
                if (_roomFreed.CurrentCount == 0) _roomFreed.Release();
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>In the order received; each target is flushed when the next handle has another one (a reconnect) and at the end.</summary>
    private static async Task AcknowledgeAsync(List<AckHandle> acks, CancellationToken ct)
    {
        IAckTarget? queued = null;
        foreach (var (target, packetId) in acks)
        {
            if (queued is not null && !ReferenceEquals(queued, target)) await queued.FlushAsync(ct);
            queued = target;
            await target.AcknowledgeAsync(packetId, ct);
        }
        if (queued is not null) await queued.FlushAsync(ct);
    }

    public void Dispose()
    {
        _toWrite.Writer.TryComplete();
        _toAck.Writer.TryComplete();
        _open.Dispose();
        while (_pool.TryDequeue(out var batch)) batch.Dispose();
        _roomFreed.Dispose();
    }

    /// <summary>
    /// Where the decoder's findings go, inline on the decoding thread: each point's time (for the point-age histogram)
    /// and its vehicle's quality counts; each rejection counted, dead-lettered and counted for its vehicle.
    /// </summary>
    private readonly ref struct FindingsRecorder(DeadLetterFile file, PipelineCounters counters, QualityTracker? quality, List<long> pointTimes,
        string topic, ReadOnlySpan<byte> payload, TimeProvider time) : IDecodeSink
    {
        private readonly ReadOnlySpan<byte> _payload = payload;

        public void OnPoint(int objectIndex, long seq, long timestampMs)
        {
            pointTimes.Add(timestampMs);
            quality?.OnPoint(topic, seq);
        }

        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key)
        {
            counters.Rejected(reason, topic);
            quality?.OnRejected(topic, reason);
            file.Write(time.GetUtcNow(), topic, reason, objectIndex, key, _payload);
        }
    }
}
