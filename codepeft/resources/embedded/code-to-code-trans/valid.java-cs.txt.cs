public static string JoinWithCommas(string[] items) {return string.Join(", ", items);}
public static string[] FilterLongWords(string[] words, int minimum) {List<string> result = new List<string>();foreach (string word in words) {if (word.Length >= minimum) {result.Add(word);}}return result.ToArray();}
public static int CountUppercase(string text) {int count = 0;foreach (char ch in text) {if (char.IsUpper(ch)) {count++;}}return count;}
public static string CommaJoin(string[] parts) {return string.Join(", ", parts);}
public static string[] WordsAtLeast(string[] tokens, int length) {List<string> result = new List<string>();foreach (string word in tokens) {if (word.Length >= length) {result.Add(word);}}return result.ToArray();}
public static int UppercaseCount(string line) {int count = 0;foreach (char ch in line) {if (char.IsUpper(ch)) {count++;}}return count;}
public static string JoinItems(string[] items) {return string.Join(", ", items);}
public static string[] KeepLongWords(string[] words, int minimum) {List<string> result = new List<string>();foreach (string word in words) {if (word.Length >= minimum) {result.Add(word);}}return result.ToArray();}
public static int CountCapitals(string text) {int count = 0;foreach (char ch in text) {if (char.IsUpper(ch)) {count++;}}return count;}
public static string JoinWithCommas(string[] parts) {return string.Join(", ", parts);}
public static string[] FilterLongWords(string[] tokens, int length) {List<string> result = new List<string>();foreach (string word in tokens) {if (word.Length >= length) {result.Add(word);}}return result.ToArray();}
public static int CountUppercase(string line) {int count = 0;foreach (char ch in line) {if (char.IsUpper(ch)) {count++;}}return count;}
