# Multi-stage build: SDK image builds and publishes the gateway; the runtime image runs it as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
COPY config/ config/
RUN dotnet publish src/Telemetry.Gateway/Telemetry.Gateway.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
RUN groupadd --system gateway && useradd --system --gid gateway --home-dir /app --no-create-home gateway \
    && mkdir -p /var/lib/telemetry-gateway && chown gateway:gateway /var/lib/telemetry-gateway
USER gateway
# In a container the loopback defaults would make /metrics and the embedded broker unreachable from
# outside it: listen on every interface of the container (publish the ports on the host as narrowly as needed).
ENV DeadLetter__Directory=/var/lib/telemetry-gateway/dead-letter \
    Spool__Directory=/var/lib/telemetry-gateway/spool \
    Sparkplug__SessionFile=/var/lib/telemetry-gateway/sparkplug/sessions.log \
    Observability__ListenUrl=http://0.0.0.0:9464 \
    Broker__BindAddress=0.0.0.0 \
    DOTNET_gcServer=0
VOLUME ["/var/lib/telemetry-gateway"]
# 9464: /metrics, /healthz, /readyz. 1883 and 8883: only in embedded-broker mode (Gateway__Mode=EmbeddedBroker).
EXPOSE 9464 1883 8883
# Liveness from /healthz. The runtime image has no curl; bash's /dev/tcp is enough for one GET.
# Keep the port in step with Observability__ListenUrl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# SIGTERM drains open batches for up to Gateway__ShutdownTimeoutSeconds (15 s) plus 10 s: give
# `docker stop` at least that (docker stop -t 40; compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/telemetry-gateway"]
