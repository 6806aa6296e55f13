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
}
