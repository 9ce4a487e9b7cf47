namespace Telemetry.Gateway.Sources;

/// <summary>A publish could not be sent or was not acknowledged: no connection, the connection ended first, or the broker refused it.</summary>
internal sealed class SourceUnavailableException(string message) : Exception(message);
