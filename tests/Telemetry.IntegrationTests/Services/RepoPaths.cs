namespace Telemetry.IntegrationTests.Services;

/// <summary>Locations inside the repository, found from the test binaries' folder.</summary>
public static class RepoPaths
{
    static readonly Lazy<string> root = new(FindRoot);

    /// <summary>The folder holding Telemetry.sln.</summary>
    public static string Root => root.Value;

    public static string Config(string fileName) => Path.Combine(Root, "config", fileName);

    public static string Script(string fileName) => Path.Combine(Root, "scripts", fileName);

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Telemetry.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No folder holding Telemetry.sln above {AppContext.BaseDirectory}.");
    }
}
