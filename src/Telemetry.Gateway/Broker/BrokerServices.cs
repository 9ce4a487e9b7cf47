using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Devices;
using Telemetry.Gateway.Hosting;
using Telemetry.Gateway.Mqtt;

namespace Telemetry.Gateway.Broker;

public static class BrokerServices
{
    /// <summary>Registers both message sources; <see cref="IMessageSource"/> resolves to the one <c>Gateway:Mode</c> names.</summary>
    public static void AddMessageSources(this IServiceCollection services, GatewayMode mode)
    {
        services.AddSingleton<MqttSubscriber>();
        services.AddSingleton<PipelinesSubscriber>();
        services.AddSingleton<IMqttSubscriber>(sp => sp.GetRequiredService<IOptions<MqttOptions>>().Value.Client == MqttClientKind.MQTTnet
            ? sp.GetRequiredService<MqttSubscriber>()
            : sp.GetRequiredService<PipelinesSubscriber>());
        services.AddSingleton<BrokerCounters>();
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<IMessageSource>(sp => mode == GatewayMode.EmbeddedBroker
            ? sp.GetRequiredService<EmbeddedBroker>()
            : new SubscriberSource(sp.GetRequiredService<IMqttSubscriber>()));
    }
}
