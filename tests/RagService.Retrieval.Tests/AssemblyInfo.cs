namespace RagService.Retrieval.Tests;
