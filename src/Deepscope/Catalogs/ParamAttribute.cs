namespace Deepscope.Catalogs;

/// <summary>
/// How an options property is spelled and checked where users write it (YAML, <c>--param name=value</c>). Without
/// this attribute a settable property is a parameter named in snake_case (<c>LearningRate</c> is <c>learning_rate</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParamAttribute(string? name = null) : Attribute
{
    /// <summary>The public spelling when it is not the property's snake_case (scikit-learn's <c>C</c>, <c>tol</c>, <c>n_estimators</c>).</summary>
    public string? Name { get; } = name;
    /// <summary>One line for <c>--help</c>, <c>deepscope list</c> and the JSON schema.</summary>
    public string Description { get; init; } = "";
    /// <summary>
    /// Words that stand for values, each <c>word=value</c>: <c>"auto=NaN"</c>, or <c>"scale="</c> for null. A nullable
    /// property without words takes <c>none</c>, <c>null</c> and <c>auto</c> as null.
    /// </summary>
    public string[] Words { get; init; } = [];
    /// <summary>Other accepted spellings (scikit-learn's <c>n_neighbors</c> beside the shorter <c>k</c>).</summary>
    public string[] Aliases { get; init; } = [];
    public double Min { get; init; } = double.NegativeInfinity;
    public double Max { get; init; } = double.PositiveInfinity;
}

/// <summary>A settable property of an options record that users do not set (filled in by the program).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAParameterAttribute : Attribute;
