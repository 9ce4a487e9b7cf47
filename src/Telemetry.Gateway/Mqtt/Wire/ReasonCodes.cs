namespace Telemetry.Gateway.Mqtt.Wire;

/// <summary>Names of the MQTT 5 reason codes a subscriber meets (§2.4).</summary>
internal static class ReasonCodes
{
    public static string Describe(byte code) => code switch
    {
        0x00 => "0x00 success",
        0x04 => "0x04 disconnect with will message",
        0x80 => "0x80 unspecified error",
        0x81 => "0x81 malformed packet",
        0x82 => "0x82 protocol error",
        0x83 => "0x83 implementation specific error",
        0x84 => "0x84 unsupported protocol version",
        0x85 => "0x85 client identifier not valid",
        0x86 => "0x86 bad user name or password",
        0x87 => "0x87 not authorized",
        0x88 => "0x88 server unavailable",
        0x89 => "0x89 server busy",
        0x8A => "0x8A banned",
        0x8B => "0x8B server shutting down",
        0x8D => "0x8D keep alive timeout",
        0x8E => "0x8E session taken over (another client connected with the same client id)",
        0x8F => "0x8F topic filter invalid",
        0x93 => "0x93 receive maximum exceeded",
        0x95 => "0x95 packet too large",
        0x97 => "0x97 quota exceeded",
        0x9E => "0x9E shared subscriptions not supported",
        0xA2 => "0xA2 wildcard subscriptions not supported",
        _ => $"0x{code:X2}",
    };
}
