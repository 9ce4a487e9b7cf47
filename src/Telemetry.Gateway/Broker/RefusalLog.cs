using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Telemetry.Contract.Topics;
using Telemetry.Pipeline.Logging;

namespace Telemetry.Gateway.Broker;

/// <summary>
/// Logs refusals without letting a hostile client flood the log: at most 60 lines a minute (<see cref="LogThrottle"/>),
/// and how many more there were with the next line. The caller passes a user name only when it is a registered
/// device id (never a password typed into the wrong field); topics are not logged.
/// </summary>
internal sealed class RefusalLog(ILogger logger, TimeProvider time)
{
    private readonly LogThrottle _throttle = new(TimeSpan.FromMinutes(1), 60, time);

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
        if (!_throttle.TryTake(out int heldBack)) return false;
        if (heldBack > 0) logger.LogWarning("{Count} more refusals were not logged", heldBack);
        return true;
    }
}
