// codepeft RoslynParse: parse many C# files with Roslyn (Microsoft.CodeAnalysis.CSharp 4.14)
// and print one JSON object per file on stdout (JSON Lines):
//   {"file": "<path>", "diagnostics": [{"id": "CS1002", "severity": "Error", "line": 3}, ...]}
// Usage: RoslynParse <file.cs>...   or   RoslynParse @<file-list.txt>   (one path per line)
// Only parse diagnostics (SyntaxTree.GetDiagnostics), as in the paper: no compilation, no
// references. codepeft counts ids CS01xx as syntax errors and the rest as maintainability.
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

var files = new List<string>();
foreach (var arg in args)
{
    if (arg.StartsWith("@")) files.AddRange(File.ReadAllLines(arg[1..]).Where(l => l.Trim().Length > 0));
    else files.Add(arg);
}
var options = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Parse, SourceCodeKind.Regular);
var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
foreach (var file in files)
{
    var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), options, path: file);
    var diagnostics = tree.GetDiagnostics().Select(d => new Dictionary<string, object>
    {
        ["id"] = d.Id,
        ["severity"] = d.Severity.ToString(),
        ["line"] = d.Location.GetLineSpan().StartLinePosition.Line + 1,
        ["message"] = d.GetMessage(),
    }).ToList();
    stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["file"] = file, ["diagnostics"] = diagnostics }));
}
stdout.Flush();
return 0;
