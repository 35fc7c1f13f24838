public static string JoinWithCommas(string[] items) {return string.Join(", ", items);}
public static string[] FilterLongWords(string[] words, int minimum) {List<string> result = new List<string>();foreach (string word in words) {if (word.Length >= minimum) {result.Add(word);}}return result.ToArray();}
public static int CountUppercase(string text) {int count = 0;foreach (char ch in text) {if (char.IsUpper(ch)) {count++;}}return count;}
public static double CelsiusToFahrenheit(double celsius) {return celsius * 9.0 / 5.0 + 32.0;}
public static int Lcm(int a, int b) {int x = a;int y = b;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return a / x * b;}
public static int[] ReverseArray(int[] values) {int n = values.Length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = values[n - 1 - i];}return result;}
public static string CommaJoin(string[] parts) {return string.Join(", ", parts);}
public static string[] WordsAtLeast(string[] tokens, int length) {List<string> result = new List<string>();foreach (string word in tokens) {if (word.Length >= length) {result.Add(word);}}return result.ToArray();}
public static int UppercaseCount(string line) {int count = 0;foreach (char ch in line) {if (char.IsUpper(ch)) {count++;}}return count;}
public static double ToFahrenheit(double degrees) {return degrees * 9.0 / 5.0 + 32.0;}
public static int LeastCommonMultiple(int first, int second) {int x = first;int y = second;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return first / x * second;}
public static int[] ReversedCopy(int[] items) {int n = items.Length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = items[n - 1 - i];}return result;}
