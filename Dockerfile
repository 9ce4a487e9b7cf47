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
ENV DeadLetter__Directory=/var/lib/telemetry-gateway/dead-letter \
    Spool__Directory=/var/lib/telemetry-gateway/spool \
    DOTNET_gcServer=0
VOLUME ["/var/lib/telemetry-gateway"]
ENTRYPOINT ["/app/telemetry-gateway"]
