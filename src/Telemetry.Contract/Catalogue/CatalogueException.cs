namespace Telemetry.Contract.Catalogue;

/// <summary>The catalogue file is unusable; the message says where and why.</summary>
public sealed class CatalogueException(string message) : Exception(message);
