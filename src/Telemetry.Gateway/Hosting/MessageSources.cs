using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Broker;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Devices;
using Telemetry.Gateway.Mqtt;
using Telemetry.Gateway.Sources;

namespace Telemetry.Gateway.Hosting;

/// <summary>The one place message sources are registered: <see cref="IMessageSource"/> is the one <c>Gateway:Mode</c> (and <c>Mqtt:Client</c>) names.</summary>
internal static class MessageSources
{
    public static void AddMessageSource(this IServiceCollection services, GatewayMode mode)
    {
        if (mode == GatewayMode.EmbeddedBroker)
        {
            services.AddSingleton<BrokerCounters>();
            services.AddSingleton<DeviceRegistry>();
            services.AddSingleton<IMessageSource, EmbeddedBroker>();
            return;
        }
        // Mqtt:Client is read when the host starts, with the other options, so a bad value is reported with them.
        services.AddSingleton<IMessageSource>(sp => sp.GetRequiredService<IOptions<MqttOptions>>().Value.Client == MqttClientKind.MQTTnet
            ? ActivatorUtilities.CreateInstance<MqttNetSubscriber>(sp)
            : ActivatorUtilities.CreateInstance<PipelinesSubscriber>(sp));
    }
}
