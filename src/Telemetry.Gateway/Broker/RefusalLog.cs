using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Telemetry.Contract.Topics;

namespace Telemetry.Gateway.Broker;

/// <summary>
/// Logs refusals without letting a hostile client flood the log: at most <see cref="PerMinute"/> lines a
/// minute, then one summary. Names are logged only when they are well-formed vehicle ids (never a
/// password typed into the wrong field, never control characters); topics are not logged.
/// </summary>
internal sealed class RefusalLog(ILogger logger, TimeProvider time)
{
    private const int PerMinute = 60;
    private readonly object _gate = new();
    private long _windowStart = long.MinValue;
    private int _inWindow, _suppressed;

    public void Connection(string endpoint, string? userName, MqttConnectReasonCode reason)
    {
        if (Allow()) logger.LogWarning("Refused MQTT connection from {Endpoint} (user {User}): {Reason}", endpoint, Printable(userName), reason);
    }

    public void Publish(string deviceId, string? topic)
    {
        if (Allow()) logger.LogWarning("Refused publish by {Device} outside its topics (not_authorized, dead-lettered)", Printable(deviceId));
    }

    private static string Printable(string? name) => name is { Length: > 0 } && TopicParser.IsValidVehicleId(name) ? name : "(not a device id)";

    private bool Allow()
    {
        lock (_gate)
        {
            long minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
            if (minute != _windowStart)
            {
                if (_suppressed > 0) logger.LogWarning("{Count} more refusals in the last minute were not logged", _suppressed);
                _windowStart = minute;
                _inWindow = _suppressed = 0;
            }
            if (++_inWindow <= PerMinute) return true;
            _suppressed++;
            return false;
        }
    }
}
