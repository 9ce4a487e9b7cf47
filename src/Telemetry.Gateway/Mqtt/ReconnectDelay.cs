namespace Telemetry.Gateway.Mqtt;

/// <summary>Backoff between connection attempts: doubling from the minimum, with ±25 % jitter so a fleet of gateways does not reconnect in step.</summary>
internal static class ReconnectDelay
{
    public static Task WaitAsync(int delayMs, CancellationToken ct) =>
        Task.Delay(TimeSpan.FromMilliseconds(delayMs * (0.75 + Random.Shared.NextDouble() * 0.5)), ct).ContinueWith(_ => { });

    public static int Next(int delayMs, int maxMs) => Math.Min(maxMs, delayMs * 2);
}
