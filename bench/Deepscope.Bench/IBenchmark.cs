namespace Deepscope.Bench;

/// <summary>A throughput benchmark run by name from the command line; prints its figures to stdout.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    int Run(string[] args);
}
