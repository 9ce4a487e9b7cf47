namespace Telemetry.Study.Derived;

/// <summary>The series a derived row belongs to: the same three tags as the raw measurements.</summary>
public readonly record struct VehicleKey(string Site, string Kind, string VehicleId);
