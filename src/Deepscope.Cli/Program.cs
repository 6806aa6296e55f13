using Deepscope.Cli;
using Deepscope.Runtime;

OneDnnIsa.LiftForRoutedProcess(); // every model the CLI runs is routed
return DeepscopeCli.Run(args);
