using System.Reflection;
using Deepscope.Bench;
using Deepscope.Runtime;

OneDnnIsa.LiftForRoutedProcess(); // benchmarks measure what the CLI runs

// Each benchmark is a class implementing IBenchmark; `dotnet run -c Release --project bench/Deepscope.Bench -- NAME [args]`.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
if (args.Length == 0 || benchmarks.All(b => b.Name != args[0]))
{
    Console.WriteLine("usage: Deepscope.Bench NAME [args]   (set DEEPSCOPE_DATA or pass --data-dir where a benchmark reads datasets)");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-16} {b.Description}");
    return args.Length == 0 ? 0 : 1;
}
return benchmarks.First(b => b.Name == args[0]).Run(args[1..]);
