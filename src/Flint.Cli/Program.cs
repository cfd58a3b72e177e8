using Flint.Cli;

if (DevSupervisor.ShouldSupervise(args)) return await DevSupervisor.RunAsync(args, Console.Error);
return await FlintCli.RunAsync(args);
