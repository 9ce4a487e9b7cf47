namespace Telemetry.Gateway.Sparkplug;

/// <summary>MQTT topic filter matching (OASIS MQTT 5.0, 4.7), for the few start-up decisions that need it.</summary>
internal static class TopicFilters
{
    /// <summary>Whether <paramref name="filter"/> (with <c>+</c> and <c>#</c>) matches <paramref name="topic"/>.</summary>
    public static bool Matches(string filter, string topic)
    {
        var filterLevels = filter.Split('/');
        var topicLevels = topic.Split('/');
        for (int i = 0; i < filterLevels.Length; i++)
        {
            if (filterLevels[i] == "#") return true;
            if (i >= topicLevels.Length) return false;
            if (filterLevels[i] != "+" && filterLevels[i] != topicLevels[i]) return false;
        }
        return filterLevels.Length == topicLevels.Length;
    }
}
