using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Telemetry.Contract.Topics;

namespace Telemetry.Gateway.Broker;

/// <summary>
/// Logs refusals without letting a hostile client flood the log: at most <see cref="PerMinute"/> lines a
/// minute, then one summary. The caller passes a user name only when it is a registered device id
/// (never a password typed into the wrong field); topics are not logged.
/// </summary>
internal sealed class RefusalLog(ILogger logger, TimeProvider time)
{
    private const int PerMinute = 60;
    private readonly object _gate = new();
    private long _windowStart = long.MinValue;
    private int _inWindow, _suppressed;

    /// <param name="knownDeviceId">the user name if it is a registered device id, else null</param>
    public void Connection(string endpoint, string? knownDeviceId, MqttConnectReasonCode reason)
    {
        if (Allow()) logger.LogWarning("Refused MQTT connection from {Endpoint} (device {Device}): {Reason}", endpoint, knownDeviceId ?? "(not registered)", reason);
    }

    public void Publish(string deviceId)
    {
        if (Allow()) logger.LogWarning("Refused publish by {Device} outside its topics (not_authorized, dead-lettered)", Printable(deviceId));
    }

    private static string Printable(string name) => TopicParser.IsValidVehicleId(name) ? name : "(not a device id)";

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
