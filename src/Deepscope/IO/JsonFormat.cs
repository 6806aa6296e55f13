using System.Text.Json;
using System.Text.Json.Serialization;

namespace Deepscope.IO;

/// <summary>
/// The one JSON style of every file Deepscope writes (results, run records, histories, checkpoints' state): snake_case
/// names and enum values, indented, NaN and infinities allowed as named literals.
/// </summary>
public static class JsonFormat
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// A record read from a file in this format; an empty or malformed file is an <see cref="InvalidDataFileException"/>
    /// naming it (a user's run folder may hold a truncated or hand-edited file). Callers check that it exists first, to
    /// say in their own words what the folder should have been.
    /// </summary>
    public static T Read<T>(string path)
    {
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidDataFileException(path, "empty"); }
        catch (JsonException e) { throw new InvalidDataFileException(path, $"unreadable: {e.Message}", e); }
    }
}
