using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Module = TorchSharp.torch.nn.Module;

namespace Deepscope.Models;

/// <summary>
/// Puts one module in another's place inside a model: where its parent holds it (a Sequential's list or a registered
/// sub-module, so state-dict keys and their order are kept) and in every field of the parent that refers to it, so
/// the parent's own forward calls the new module. A field typed narrower than the replacement (torch's sealed Conv2d)
/// cannot take it: <see cref="NarrowField"/> names such a field before anything changes.
/// </summary>
public static class ModuleSurgery
{
    static readonly FieldInfo SubmodulesField = typeof(Module).GetField("_internal_submodules", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("TorchSharp's Module has no _internal_submodules field: update ModuleSurgery for this TorchSharp version");
    static readonly FieldInfo SequentialModulesField = typeof(Sequential).GetField("_modules", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("TorchSharp's Sequential has no _modules field: update ModuleSurgery for this TorchSharp version");

    /// <summary>The first field of <paramref name="parent"/> that holds <paramref name="old"/> and cannot hold <paramref name="replacement"/>, or null.</summary>
    public static FieldInfo? NarrowField(Module parent, Module old, Module replacement) =>
        FieldsHolding(parent, old).FirstOrDefault(f => !f.FieldType.IsInstanceOfType(replacement));

    /// <summary>Replaces the child <paramref name="name"/> (= <paramref name="old"/>) of <paramref name="parent"/>; check <see cref="NarrowField"/> first.</summary>
    public static void Replace(Module parent, string name, Module old, Module replacement)
    {
        var fields = FieldsHolding(parent, old).ToList();
        if (fields.FirstOrDefault(f => !f.FieldType.IsInstanceOfType(replacement)) is { } narrow)
            throw new InvalidOperationException($"{parent.GetType().Name}.{narrow.Name} cannot hold a {replacement.GetType().Name}");
        if (parent is Sequential)
        {
            var list = (List<IModule<Tensor, Tensor>>)SequentialModulesField.GetValue(parent)!;
            list[list.FindIndex(m => ReferenceEquals(m, old))] = (IModule<Tensor, Tensor>)replacement;
        }
        else
        {
            var submodules = (TorchSharp.Utils.OrderedDict<string, Module>)SubmodulesField.GetValue(parent)!;
            submodules[name] = replacement; // in place: the state dict keeps its order
        }
        foreach (var field in fields) field.SetValue(parent, replacement);
    }

    static IEnumerable<FieldInfo> FieldsHolding(Module parent, Module old)
    {
        for (var type = parent.GetType(); type is not null && type != typeof(Module); type = type.BaseType)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (ReferenceEquals(field.GetValue(parent), old)) yield return field;
    }
}
