using Flint.Cli;

return await FlintCli.RunAsync(args);
