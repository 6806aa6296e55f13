using System.CommandLine;
using Deepscope.Catalogs;

namespace Deepscope.Cli.Commands;

/// <summary><c>deepscope list [KIND [NAME]] [--params]</c>: what the catalogs hold.</summary>
static class ListCommand
{
    public static Command Create()
    {
        var kind = new Argument<string?>("kind") { Description = $"Kind of component: {string.Join(", ", ComponentKinds.Names)}", Arity = ArgumentArity.ZeroOrOne };
        var name = new Argument<string?>("name") { Description = "One component, shown with its parameters", Arity = ArgumentArity.ZeroOrOne };
        var parameters = new Option<bool>("--params") { Description = "Show every parameter: type, default, choices, range, description" };
        var command = new Command("list", "List the learners, models, feature extractors, embedders and datasets, with their parameters")
            { kind, name, parameters };
        command.SetAction(parse =>
        {
            var k = parse.GetValue(kind);
            Console.Write(k is null ? CatalogListing.Kinds() : CatalogListing.Components(k, parse.GetValue(name), parse.GetValue(parameters)));
            return 0;
        });
        return command;
    }
}
