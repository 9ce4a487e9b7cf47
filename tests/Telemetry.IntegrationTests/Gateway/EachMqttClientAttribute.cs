using System.Reflection;
using Telemetry.Gateway.Configuration;
using Xunit.Sdk;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>Runs a theory once per subscriber-mode MQTT client (<c>Mqtt:Client</c>), passing its name.</summary>
public sealed class EachMqttClientAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        Enum.GetNames<MqttClientKind>().Select(name => new object[] { name });
}
