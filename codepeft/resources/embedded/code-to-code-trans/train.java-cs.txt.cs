public static string ReverseWords(string text) {string[] words = text.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries);Array.Reverse(words);return string.Join(" ", words);}
public static int CountVowels(string text) {int count = 0;foreach (char ch in text.ToLower()) {if ("aeiou".IndexOf(ch) >= 0) {count++;}}return count;}
public static bool IsPalindrome(string text) {string lowered = text.ToLower();int i = 0;int j = lowered.Length - 1;while (i < j) {if (lowered[i] != lowered[j]) {return false;}i++;j--;}return true;}
public static string CapitalizeWords(string text) {string[] parts = text.Split(' ');for (int i = 0; i < parts.Length; i++) {if (parts[i].Length > 0) {parts[i] = char.ToUpper(parts[i][0]) + parts[i].Substring(1);}}return string.Join(" ", parts);}
public static int CountOccurrences(string text, string pattern) {int count = 0;int index = text.IndexOf(pattern, StringComparison.Ordinal);while (index >= 0) {count++;index = text.IndexOf(pattern, index + pattern.Length, StringComparison.Ordinal);}return count;}
public static int[] RemoveDuplicates(int[] values) {HashSet<int> seen = new HashSet<int>();List<int> result = new List<int>();foreach (int value in values) {if (seen.Add(value)) {result.Add(value);}}return result.ToArray();}
public static int SumOfEvens(int[] values) {int total = 0;foreach (int value in values) {if (value % 2 == 0) {total += value;}}return total;}
public static int MaxValue(int[] values) {int best = values[0];for (int i = 1; i < values.Length; i++) {if (values[i] > best) {best = values[i];}}return best;}
public static int[] RunningSum(int[] values) {int[] result = new int[values.Length];int total = 0;for (int i = 0; i < values.Length; i++) {total += values[i];result[i] = total;}return result;}
public static int[] RotateLeft(int[] values, int steps) {int n = values.Length;int[] result = new int[n];if (n == 0) {return result;}int shift = steps % n;for (int i = 0; i < n; i++) {result[i] = values[(i + shift) % n];}return result;}
public static int Factorial(int n) {int result = 1;for (int i = 2; i <= n; i++) {result *= i;}return result;}
public static int Gcd(int a, int b) {while (b != 0) {int tmp = a % b;a = b;b = tmp;}return a;}
public static bool IsPrime(int n) {if (n < 2) {return false;}for (int i = 2; i * i <= n; i++) {if (n % i == 0) {return false;}}return true;}
public static int Fibonacci(int n) {int a = 0;int b = 1;for (int i = 0; i < n; i++) {int next = a + b;a = b;b = next;}return a;}
public static int DigitSum(int n) {int total = 0;while (n > 0) {total += n % 10;n /= 10;}return total;}
public static int Clamp(int value, int low, int high) {if (value < low) {return low;}if (value > high) {return high;}return value;}
public static double Mean(int[] values) {long total = 0;foreach (int value in values) {total += value;}return (double) total / values.Length;}
public static int CountWords(string text) {return text.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).Length;}
public static bool IsAnagram(string first, string second) {char[] a = first.Replace(" ", "").ToLower().ToCharArray();char[] b = second.Replace(" ", "").ToLower().ToCharArray();Array.Sort(a);Array.Sort(b);return new string(a) == new string(b);}
public static string CompressRuns(string text) {StringBuilder sb = new StringBuilder();int i = 0;while (i < text.Length) {int j = i;while (j < text.Length && text[j] == text[i]) {j++;}sb.Append(text[i]).Append(j - i);i = j;}return sb.ToString();}
public static string ToSnakeCase(string name) {StringBuilder sb = new StringBuilder();for (int i = 0; i < name.Length; i++) {char ch = name[i];if (char.IsUpper(ch)) {if (i > 0) {sb.Append('_');}sb.Append(char.ToLower(ch));} else {sb.Append(ch);}}return sb.ToString();}
public static string LongestWord(string text) {string best = "";foreach (string word in text.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries)) {if (word.Length > best.Length) {best = word;}}return best;}
public static string BinaryString(int n) {if (n == 0) {return "0";}StringBuilder sb = new StringBuilder();while (n > 0) {sb.Insert(0, n % 2);n /= 2;}return sb.ToString();}
public static bool IsPowerOfTwo(int n) {return n > 0 && (n & (n - 1)) == 0;}
public static int SecondLargest(int[] values) {SortedSet<int> distinct = new SortedSet<int>(values);distinct.Remove(distinct.Max);return distinct.Max;}
public static int CountGreater(int[] values, int threshold) {int count = 0;foreach (int value in values) {if (value > threshold) {count++;}}return count;}
public static int IndexOf(int[] values, int target) {for (int i = 0; i < values.Length; i++) {if (values[i] == target) {return i;}}return -1;}
public static int[] MergeSorted(int[] first, int[] second) {int[] result = new int[first.Length + second.Length];int i = 0;int j = 0;int k = 0;while (i < first.Length && j < second.Length) {result[k++] = first[i] <= second[j] ? first[i++] : second[j++];}while (i < first.Length) {result[k++] = first[i++];}while (j < second.Length) {result[k++] = second[j++];}return result;}
public static int DotProduct(int[] first, int[] second) {int total = 0;for (int i = 0; i < first.Length; i++) {total += first[i] * second[i];}return total;}
public static string ZeroPad(string text, int width) {return text.PadLeft(width, '0');}
public static string KeepAlphanumeric(string text) {StringBuilder sb = new StringBuilder();foreach (char ch in text) {if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {sb.Append(ch);}}return sb.ToString();}
public static string ReverseWordOrder(string sentence) {string[] words = sentence.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries);Array.Reverse(words);return string.Join(" ", words);}
public static int VowelCount(string word) {int count = 0;foreach (char ch in word.ToLower()) {if ("aeiou".IndexOf(ch) >= 0) {count++;}}return count;}
public static bool ReadsSameBackwards(string word) {string lowered = word.ToLower();int i = 0;int j = lowered.Length - 1;while (i < j) {if (lowered[i] != lowered[j]) {return false;}i++;j--;}return true;}
public static string TitleCaseWords(string line) {string[] parts = line.Split(' ');for (int i = 0; i < parts.Length; i++) {if (parts[i].Length > 0) {parts[i] = char.ToUpper(parts[i][0]) + parts[i].Substring(1);}}return string.Join(" ", parts);}
public static int CountSubstring(string haystack, string needle) {int count = 0;int index = haystack.IndexOf(needle, StringComparison.Ordinal);while (index >= 0) {count++;index = haystack.IndexOf(needle, index + needle.Length, StringComparison.Ordinal);}return count;}
public static int[] UniqueValues(int[] numbers) {HashSet<int> seen = new HashSet<int>();List<int> result = new List<int>();foreach (int value in numbers) {if (seen.Add(value)) {result.Add(value);}}return result.ToArray();}
public static int EvenSum(int[] numbers) {int total = 0;foreach (int value in numbers) {if (value % 2 == 0) {total += value;}}return total;}
public static int LargestElement(int[] numbers) {int best = numbers[0];for (int i = 1; i < numbers.Length; i++) {if (numbers[i] > best) {best = numbers[i];}}return best;}
public static int[] PrefixSums(int[] numbers) {int[] result = new int[numbers.Length];int total = 0;for (int i = 0; i < numbers.Length; i++) {total += numbers[i];result[i] = total;}return result;}
public static int[] RotateArrayLeft(int[] items, int count) {int n = items.Length;int[] result = new int[n];if (n == 0) {return result;}int shift = count % n;for (int i = 0; i < n; i++) {result[i] = items[(i + shift) % n];}return result;}
public static int ComputeFactorial(int number) {int result = 1;for (int i = 2; i <= number; i++) {result *= i;}return result;}
public static int GreatestCommonDivisor(int first, int second) {while (second != 0) {int tmp = first % second;first = second;second = tmp;}return first;}
public static bool CheckPrime(int number) {if (number < 2) {return false;}for (int i = 2; i * i <= number; i++) {if (number % i == 0) {return false;}}return true;}
public static int NthFibonacci(int index) {int a = 0;int b = 1;for (int i = 0; i < index; i++) {int next = a + b;a = b;b = next;}return a;}
public static int SumOfDigits(int number) {int total = 0;while (number > 0) {total += number % 10;number /= 10;}return total;}
public static int ClampValue(int x, int lower, int upper) {if (x < lower) {return lower;}if (x > upper) {return upper;}return x;}
public static double Average(int[] numbers) {long total = 0;foreach (int value in numbers) {total += value;}return (double) total / numbers.Length;}
public static int WordCount(string sentence) {return sentence.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).Length;}
public static bool AreAnagrams(string left, string right) {char[] a = left.Replace(" ", "").ToLower().ToCharArray();char[] b = right.Replace(" ", "").ToLower().ToCharArray();Array.Sort(a);Array.Sort(b);return new string(a) == new string(b);}
public static string RunLengthEncode(string data) {StringBuilder sb = new StringBuilder();int i = 0;while (i < data.Length) {int j = i;while (j < data.Length && data[j] == data[i]) {j++;}sb.Append(data[i]).Append(j - i);i = j;}return sb.ToString();}
public static string CamelToSnake(string identifier) {StringBuilder sb = new StringBuilder();for (int i = 0; i < identifier.Length; i++) {char ch = identifier[i];if (char.IsUpper(ch)) {if (i > 0) {sb.Append('_');}sb.Append(char.ToLower(ch));} else {sb.Append(ch);}}return sb.ToString();}
public static string FindLongestWord(string sentence) {string best = "";foreach (string word in sentence.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries)) {if (word.Length > best.Length) {best = word;}}return best;}
public static string ToBinary(int number) {if (number == 0) {return "0";}StringBuilder sb = new StringBuilder();while (number > 0) {sb.Insert(0, number % 2);number /= 2;}return sb.ToString();}
public static bool PowerOfTwo(int number) {return number > 0 && (number & (number - 1)) == 0;}
public static int RunnerUp(int[] numbers) {SortedSet<int> distinct = new SortedSet<int>(numbers);distinct.Remove(distinct.Max);return distinct.Max;}
public static int CountAbove(int[] numbers, int limit) {int count = 0;foreach (int value in numbers) {if (value > limit) {count++;}}return count;}
public static int FindIndex(int[] items, int wanted) {for (int i = 0; i < items.Length; i++) {if (items[i] == wanted) {return i;}}return -1;}
public static int[] MergeSortedArrays(int[] left, int[] right) {int[] result = new int[left.Length + right.Length];int i = 0;int j = 0;int k = 0;while (i < left.Length && j < right.Length) {result[k++] = left[i] <= right[j] ? left[i++] : right[j++];}while (i < left.Length) {result[k++] = left[i++];}while (j < right.Length) {result[k++] = right[j++];}return result;}
public static int InnerProduct(int[] xs, int[] ys) {int total = 0;for (int i = 0; i < xs.Length; i++) {total += xs[i] * ys[i];}return total;}
public static string PadWithZeros(string digits, int size) {return digits.PadLeft(size, '0');}
public static string StripSymbols(string raw) {StringBuilder sb = new StringBuilder();foreach (char ch in raw) {if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {sb.Append(ch);}}return sb.ToString();}
public static string WordsReversed(string text) {string[] words = text.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries);Array.Reverse(words);return string.Join(" ", words);}
public static int NumberOfVowels(string text) {int count = 0;foreach (char ch in text.ToLower()) {if ("aeiou".IndexOf(ch) >= 0) {count++;}}return count;}
public static bool CheckPalindrome(string text) {string lowered = text.ToLower();int i = 0;int j = lowered.Length - 1;while (i < j) {if (lowered[i] != lowered[j]) {return false;}i++;j--;}return true;}
public static string CapitalizeEachWord(string text) {string[] parts = text.Split(' ');for (int i = 0; i < parts.Length; i++) {if (parts[i].Length > 0) {parts[i] = char.ToUpper(parts[i][0]) + parts[i].Substring(1);}}return string.Join(" ", parts);}
public static int OccurrenceCount(string text, string pattern) {int count = 0;int index = text.IndexOf(pattern, StringComparison.Ordinal);while (index >= 0) {count++;index = text.IndexOf(pattern, index + pattern.Length, StringComparison.Ordinal);}return count;}
public static int[] DedupeValues(int[] values) {HashSet<int> seen = new HashSet<int>();List<int> result = new List<int>();foreach (int value in values) {if (seen.Add(value)) {result.Add(value);}}return result.ToArray();}
public static int SumEvenValues(int[] values) {int total = 0;foreach (int value in values) {if (value % 2 == 0) {total += value;}}return total;}
public static int FindMaximum(int[] values) {int best = values[0];for (int i = 1; i < values.Length; i++) {if (values[i] > best) {best = values[i];}}return best;}
public static int[] CumulativeSum(int[] values) {int[] result = new int[values.Length];int total = 0;for (int i = 0; i < values.Length; i++) {total += values[i];result[i] = total;}return result;}
public static int[] ShiftLeft(int[] values, int steps) {int n = values.Length;int[] result = new int[n];if (n == 0) {return result;}int shift = steps % n;for (int i = 0; i < n; i++) {result[i] = values[(i + shift) % n];}return result;}
public static int FactorialOf(int n) {int result = 1;for (int i = 2; i <= n; i++) {result *= i;}return result;}
public static int ComputeGcd(int a, int b) {while (b != 0) {int tmp = a % b;a = b;b = tmp;}return a;}
public static bool IsPrimeNumber(int n) {if (n < 2) {return false;}for (int i = 2; i * i <= n; i++) {if (n % i == 0) {return false;}}return true;}
public static int FibonacciNumber(int n) {int a = 0;int b = 1;for (int i = 0; i < n; i++) {int next = a + b;a = b;b = next;}return a;}
public static int AddDigits(int n) {int total = 0;while (n > 0) {total += n % 10;n /= 10;}return total;}
public static int BoundValue(int value, int low, int high) {if (value < low) {return low;}if (value > high) {return high;}return value;}
public static double ArithmeticMean(int[] values) {long total = 0;foreach (int value in values) {total += value;}return (double) total / values.Length;}
public static int NumberOfWords(string text) {return text.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).Length;}
public static bool CheckAnagram(string first, string second) {char[] a = first.Replace(" ", "").ToLower().ToCharArray();char[] b = second.Replace(" ", "").ToLower().ToCharArray();Array.Sort(a);Array.Sort(b);return new string(a) == new string(b);}
public static string EncodeRuns(string text) {StringBuilder sb = new StringBuilder();int i = 0;while (i < text.Length) {int j = i;while (j < text.Length && text[j] == text[i]) {j++;}sb.Append(text[i]).Append(j - i);i = j;}return sb.ToString();}
public static string SnakeCaseName(string name) {StringBuilder sb = new StringBuilder();for (int i = 0; i < name.Length; i++) {char ch = name[i];if (char.IsUpper(ch)) {if (i > 0) {sb.Append('_');}sb.Append(char.ToLower(ch));} else {sb.Append(ch);}}return sb.ToString();}
public static string LongestToken(string text) {string best = "";foreach (string word in text.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries)) {if (word.Length > best.Length) {best = word;}}return best;}
public static string BinaryRepresentation(int n) {if (n == 0) {return "0";}StringBuilder sb = new StringBuilder();while (n > 0) {sb.Insert(0, n % 2);n /= 2;}return sb.ToString();}
public static bool CheckPowerOfTwo(int n) {return n > 0 && (n & (n - 1)) == 0;}
public static int SecondMax(int[] values) {SortedSet<int> distinct = new SortedSet<int>(values);distinct.Remove(distinct.Max);return distinct.Max;}
public static int CountExceeding(int[] values, int threshold) {int count = 0;foreach (int value in values) {if (value > threshold) {count++;}}return count;}
public static int PositionOf(int[] values, int target) {for (int i = 0; i < values.Length; i++) {if (values[i] == target) {return i;}}return -1;}
public static int[] MergeTwoSorted(int[] first, int[] second) {int[] result = new int[first.Length + second.Length];int i = 0;int j = 0;int k = 0;while (i < first.Length && j < second.Length) {result[k++] = first[i] <= second[j] ? first[i++] : second[j++];}while (i < first.Length) {result[k++] = first[i++];}while (j < second.Length) {result[k++] = second[j++];}return result;}
public static int ScalarProduct(int[] first, int[] second) {int total = 0;for (int i = 0; i < first.Length; i++) {total += first[i] * second[i];}return total;}
public static string LeftPadZeros(string text, int width) {return text.PadLeft(width, '0');}
public static string AlphanumericOnly(string text) {StringBuilder sb = new StringBuilder();foreach (char ch in text) {if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {sb.Append(ch);}}return sb.ToString();}
public static string ReverseWords(string sentence) {string[] words = sentence.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries);Array.Reverse(words);return string.Join(" ", words);}
public static int CountVowels(string word) {int count = 0;foreach (char ch in word.ToLower()) {if ("aeiou".IndexOf(ch) >= 0) {count++;}}return count;}
public static bool IsPalindrome(string word) {string lowered = word.ToLower();int i = 0;int j = lowered.Length - 1;while (i < j) {if (lowered[i] != lowered[j]) {return false;}i++;j--;}return true;}
