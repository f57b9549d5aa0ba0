namespace RagService.Ingestion.Tests;
