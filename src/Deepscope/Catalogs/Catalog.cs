using System.Collections;

namespace Deepscope.Catalogs;

/// <summary>A named component of some kind, as <c>deepscope list</c>, <c>--help</c>, the YAML loader and the JSON schema see it.</summary>
public interface ICatalogEntry
{
    string Name { get; }
    /// <summary>One line.</summary>
    string Description { get; }
    /// <summary>A fresh options record holding the defaults.</summary>
    object DefaultOptions();
    IReadOnlyList<ParameterInfo> Parameters { get; }
    /// <summary>Extra facts for listings (a model's parameter count); empty when there are none.</summary>
    string Facts { get; }
    /// <summary>Binds <paramref name="values"/> onto the defaults: every name and value is checked here, before any work.</summary>
    object Bind(IReadOnlyDictionary<string, string>? values);
}

/// <summary>A component whose factory builds a <typeparamref name="T"/> from its options record.</summary>
public sealed class CatalogEntry<T> : ICatalogEntry
{
    readonly Func<object> _defaults;
    readonly Func<object, T> _create;
    readonly Lazy<string> _facts;

    internal CatalogEntry(string name, string description, Func<object> defaults, Func<object, T> create, Func<string>? facts)
    {
        (Name, Description, _defaults, _create) = (name, description, defaults, create);
        _facts = new Lazy<string>(facts ?? (() => ""));
    }

    public string Name { get; }
    public string Description { get; }
    public string Facts => _facts.Value;
    public object DefaultOptions() => _defaults();
    public IReadOnlyList<ParameterInfo> Parameters => OptionsBinder.Describe(_defaults());
    public object Bind(IReadOnlyDictionary<string, string>? values) => OptionsBinder.Bind(_defaults(), values, Name);

    /// <summary>Builds the component from parameter text (name → value).</summary>
    public T Create(IReadOnlyDictionary<string, string>? values = null) => _create(Bind(values));

    /// <summary>Builds the component from an options record already bound.</summary>
    public T Create(object options) => _create(options);
}

/// <summary>
/// The components of one kind by name (learners, embedders, models, feature extractors, datasets, studies): each a
/// name, a one-line description, an options record whose initialisers are the defaults, and a factory. Adding a
/// component is one <see cref="Add{TOptions}"/> line.
/// </summary>
public sealed class Catalog<T>(string kind) : IEnumerable<CatalogEntry<T>>
{
    readonly List<CatalogEntry<T>> _entries = new();

    /// <summary>What the components are, singular (<c>learner</c>), for messages.</summary>
    public string Kind { get; } = kind;

    public Catalog<T> Add<TOptions>(string name, string description, Func<TOptions> defaults, Func<TOptions, T> create, Func<string>? facts = null)
        where TOptions : class
    {
        if (Contains(name)) throw new InvalidOperationException($"{Kind} '{name}' is registered twice");
        _entries.Add(new CatalogEntry<T>(name, description, defaults, o => create((TOptions)o), facts));
        return this;
    }

    /// <summary>Takes a component out again (a plug-in unloading, a test's own component); false when it was not there.</summary>
    public bool Remove(string name) => _entries.RemoveAll(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) > 0;

    public IReadOnlyList<string> Names => _entries.Select(e => e.Name).ToList();

    public bool Contains(string name) => _entries.Any(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entry named <paramref name="name"/> (case-insensitive); unknown names are a user error listing the known ones.</summary>
    public CatalogEntry<T> Get(string name) =>
        _entries.FirstOrDefault(e => string.Equals(e.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new DeepscopeException($"unknown {Kind} '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>Builds component <paramref name="name"/> from parameter text.</summary>
    public T Create(string name, IReadOnlyDictionary<string, string>? parameters = null) => Get(name).Create(parameters);

    public IEnumerator<CatalogEntry<T>> GetEnumerator() => _entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
