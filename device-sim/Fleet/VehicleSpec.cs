namespace DeviceSim.Fleet;

/// <summary>Who a simulated vehicle is: id, kind and home site. <paramref name="Index"/> is its position in the fleet.</summary>
public sealed record VehicleSpec(int Index, string Id, string Kind, Site Site)
{
    public string TopicPrefix => $"fleet/{Site.Name}/{Kind}/{Id}/";
}
