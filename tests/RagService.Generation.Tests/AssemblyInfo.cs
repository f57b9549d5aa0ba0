namespace RagService.Generation.Tests;
