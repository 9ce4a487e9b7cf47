using System.Net;
using System.Net.Sockets;

namespace Telemetry.IntegrationTests.Services;

/// <summary>Free TCP ports on 127.0.0.1 for servers started by the tests.</summary>
public static class FreePort
{
    static readonly HashSet<int> handedOut = [];

    /// <summary>
    /// A port the kernel reports free right now. The port is released before the server binds it,
    /// so each port is handed out only once per process to keep two servers of one run apart.
    /// </summary>
    public static int Next()
    {
        lock (handedOut)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (handedOut.Add(port))
                    return port;
            }
        }
    }
}
