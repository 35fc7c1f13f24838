public static double CelsiusToFahrenheit(double celsius) {return celsius * 9.0 / 5.0 + 32.0;}
public static int Lcm(int a, int b) {int x = a;int y = b;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return a / x * b;}
public static int[] ReverseArray(int[] values) {int n = values.Length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = values[n - 1 - i];}return result;}
public static bool IsSorted(int[] values) {for (int i = 1; i < values.Length; i++) {if (values[i - 1] > values[i]) {return false;}}return true;}
public static int SumOfSquares(int n) {int total = 0;for (int i = 1; i <= n; i++) {total += i * i;}return total;}
public static string CommonPrefix(string first, string second) {int i = 0;while (i < first.Length && i < second.Length && first[i] == second[i]) {i++;}return first.Substring(0, i);}
public static int HammingDistance(string first, string second) {int count = 0;for (int i = 0; i < first.Length; i++) {if (first[i] != second[i]) {count++;}}return count;}
public static int CountInRange(int[] values, int low, int high) {int count = 0;foreach (int value in values) {if (value >= low && value <= high) {count++;}}return count;}
public static string RepeatCharacters(string text, int times) {StringBuilder sb = new StringBuilder();foreach (char ch in text) {sb.Append(ch, times);}return sb.ToString();}
public static double ToFahrenheit(double degrees) {return degrees * 9.0 / 5.0 + 32.0;}
public static int LeastCommonMultiple(int first, int second) {int x = first;int y = second;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return first / x * second;}
public static int[] ReversedCopy(int[] items) {int n = items.Length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = items[n - 1 - i];}return result;}
public static bool IsNonDecreasing(int[] numbers) {for (int i = 1; i < numbers.Length; i++) {if (numbers[i - 1] > numbers[i]) {return false;}}return true;}
public static int SquareSum(int limit) {int total = 0;for (int i = 1; i <= limit; i++) {total += i * i;}return total;}
public static string LongestCommonPrefix(string left, string right) {int i = 0;while (i < left.Length && i < right.Length && left[i] == right[i]) {i++;}return left.Substring(0, i);}
public static int CountMismatches(string left, string right) {int count = 0;for (int i = 0; i < left.Length; i++) {if (left[i] != right[i]) {count++;}}return count;}
public static int CountBetween(int[] numbers, int lower, int upper) {int count = 0;foreach (int value in numbers) {if (value >= lower && value <= upper) {count++;}}return count;}
public static string DoubleLetters(string word, int factor) {StringBuilder sb = new StringBuilder();foreach (char ch in word) {sb.Append(ch, factor);}return sb.ToString();}
public static double ConvertToFahrenheit(double celsius) {return celsius * 9.0 / 5.0 + 32.0;}
public static int ComputeLcm(int a, int b) {int x = a;int y = b;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return a / x * b;}
public static int[] ReverseValues(int[] values) {int n = values.Length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = values[n - 1 - i];}return result;}
public static bool CheckSorted(int[] values) {for (int i = 1; i < values.Length; i++) {if (values[i - 1] > values[i]) {return false;}}return true;}
public static int SumSquaresUpTo(int n) {int total = 0;for (int i = 1; i <= n; i++) {total += i * i;}return total;}
public static string SharedPrefix(string first, string second) {int i = 0;while (i < first.Length && i < second.Length && first[i] == second[i]) {i++;}return first.Substring(0, i);}
public static int PositionDifferences(string first, string second) {int count = 0;for (int i = 0; i < first.Length; i++) {if (first[i] != second[i]) {count++;}}return count;}
public static int RangeCount(int[] values, int low, int high) {int count = 0;foreach (int value in values) {if (value >= low && value <= high) {count++;}}return count;}
public static string StutterText(string text, int times) {StringBuilder sb = new StringBuilder();foreach (char ch in text) {sb.Append(ch, times);}return sb.ToString();}
public static double CelsiusToFahrenheit(double degrees) {return degrees * 9.0 / 5.0 + 32.0;}
public static int Lcm(int first, int second) {int x = first;int y = second;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return first / x * second;}
public static int[] ReverseArray(int[] items) {int n = items.Length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = items[n - 1 - i];}return result;}
public static bool IsSorted(int[] numbers) {for (int i = 1; i < numbers.Length; i++) {if (numbers[i - 1] > numbers[i]) {return false;}}return true;}
public static int SumOfSquares(int limit) {int total = 0;for (int i = 1; i <= limit; i++) {total += i * i;}return total;}
public static string CommonPrefix(string left, string right) {int i = 0;while (i < left.Length && i < right.Length && left[i] == right[i]) {i++;}return left.Substring(0, i);}
public static int HammingDistance(string left, string right) {int count = 0;for (int i = 0; i < left.Length; i++) {if (left[i] != right[i]) {count++;}}return count;}
public static int CountInRange(int[] numbers, int lower, int upper) {int count = 0;foreach (int value in numbers) {if (value >= lower && value <= upper) {count++;}}return count;}
public static string RepeatCharacters(string word, int factor) {StringBuilder sb = new StringBuilder();foreach (char ch in word) {sb.Append(ch, factor);}return sb.ToString();}
