using RagService.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRagServiceDefaults();
builder.AddRagService();

var app = builder.Build();
app.MapRagService();
return await app.RunRagServiceAsync();

/// <summary>The API host; public so functional tests can start it with WebApplicationFactory.</summary>
public partial class Program;
