using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Telemetry.Contract.Sparkplug;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Observability;
using Telemetry.Gateway.Secrets;
using Telemetry.Gateway.Sparkplug;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Quality;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Gateway.Hosting;

/// <summary>Builds the gateway's host: configuration (appsettings.json, environment, command line), validated options, services.</summary>
internal static class GatewayHost
{
    /// <param name="logging">extra logging set-up (tests capture the logs with it)</param>
    public static IHost Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        SecretFiles.Apply(builder.Configuration);
        logging?.Invoke(builder.Logging);
        builder.Services.AddSystemd();
        // AddSystemd switches the console to the journal's format under systemd; an explicit choice (json) wins.
        if (builder.Configuration["Logging:Console:FormatterName"] is { Length: > 0 } formatter)
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);

        Bind<GatewayOptions, GatewayOptionsValidator>(builder, GatewayOptions.Section);
        Bind<MqttOptions, MqttOptionsValidator>(builder, MqttOptions.Section);
        Bind<InfluxOptions, InfluxOptionsValidator>(builder, InfluxOptions.Section);
        Bind<BatchingOptions, BatchingOptionsValidator>(builder, BatchingOptions.Section);
        Bind<DeadLetterOptions, DeadLetterOptionsValidator>(builder, DeadLetterOptions.Section);
        Bind<SpoolOptions, SpoolOptionsValidator>(builder, SpoolOptions.Section);
        Bind<BrokerOptions, BrokerOptionsValidator>(builder, BrokerOptions.Section);
        Bind<ObservabilityOptions, ObservabilityOptionsValidator>(builder, ObservabilityOptions.Section);
        Bind<QualityOptions, QualityOptionsValidator>(builder, QualityOptions.Section);
        Bind<SparkplugOptions, SparkplugOptionsValidator>(builder, SparkplugOptions.Section);

        builder.Services.AddPipeline(builder.Configuration.GetValue($"{SpoolOptions.Section}:Enabled", new SpoolOptions().Enabled));
        builder.Services.AddMessageSource(builder.Configuration.GetValue($"{GatewayOptions.Section}:Mode", GatewayMode.Subscriber));
        builder.Services.AddSingleton<GatewayStartup>();
        builder.Services.AddHostedService<GatewayService>();
        builder.Services.AddSparkplugHost();
        builder.Services.AddObservability();
        // A stop may first leave a shared subscription (Mqtt:LeaveTimeoutSeconds), then drain (Gateway:ShutdownTimeoutSeconds).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(
            builder.Configuration.GetValue($"{GatewayOptions.Section}:ShutdownTimeoutSeconds", 15)
            + builder.Configuration.GetValue($"{MqttOptions.Section}:LeaveTimeoutSeconds", 10) + 10));
        return builder.Build();
    }

    private static void Bind<TOptions, TValidator>(HostApplicationBuilder builder, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
