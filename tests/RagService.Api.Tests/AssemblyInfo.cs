namespace RagService.Api.Tests;
