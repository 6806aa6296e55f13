using Deepscope.Cli;

return DeepscopeCli.Run(args);
