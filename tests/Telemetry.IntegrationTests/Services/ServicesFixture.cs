namespace Telemetry.IntegrationTests.Services;

/// <summary>One mosquitto and one influxd shared by the tests of the "services" collection.</summary>
public sealed class ServicesFixture : IAsyncLifetime
{
    MosquittoServer? mosquitto;
    InfluxServer? influx;

    public MosquittoServer Mosquitto => mosquitto ?? throw new InvalidOperationException("ServicesFixture is not initialized.");

    public InfluxServer Influx => influx ?? throw new InvalidOperationException("ServicesFixture is not initialized.");

    public async Task InitializeAsync()
    {
        var mosquittoStart = MosquittoServer.StartAsync();
        var influxStart = InfluxServer.StartAsync();
        try
        {
            await Task.WhenAll(mosquittoStart, influxStart);
        }
        catch
        {
            // Do not leave the server that did start running until the process exits.
            if (mosquittoStart.IsCompletedSuccessfully)
                await mosquittoStart.Result.DisposeAsync();
            if (influxStart.IsCompletedSuccessfully)
                await influxStart.Result.DisposeAsync();
            throw;
        }
        mosquitto = mosquittoStart.Result;
        influx = influxStart.Result;
    }

    public async Task DisposeAsync()
    {
        if (mosquitto is not null)
            await mosquitto.DisposeAsync();
        if (influx is not null)
            await influx.DisposeAsync();
    }
}

[CollectionDefinition("services")]
public sealed class ServicesCollection : ICollectionFixture<ServicesFixture>
{
}
