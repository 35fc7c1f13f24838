public static String reverseWords(String text) {String[] words = text.trim().split("\\s+");StringBuilder sb = new StringBuilder();for (int i = words.length - 1; i >= 0; i--) {if (words[i].isEmpty()) {continue;}if (sb.length() > 0) {sb.append(" ");}sb.append(words[i]);}return sb.toString();}
public static int countVowels(String text) {int count = 0;for (char ch : text.toLowerCase().toCharArray()) {if ("aeiou".indexOf(ch) >= 0) {count++;}}return count;}
public static boolean isPalindrome(String text) {String lowered = text.toLowerCase();int i = 0;int j = lowered.length() - 1;while (i < j) {if (lowered.charAt(i) != lowered.charAt(j)) {return false;}i++;j--;}return true;}
public static String capitalizeWords(String text) {String[] parts = text.split(" ", -1);StringBuilder sb = new StringBuilder();for (int i = 0; i < parts.length; i++) {if (i > 0) {sb.append(" ");}String part = parts[i];if (!part.isEmpty()) {sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));}}return sb.toString();}
public static int countOccurrences(String text, String pattern) {int count = 0;int index = text.indexOf(pattern);while (index >= 0) {count++;index = text.indexOf(pattern, index + pattern.length());}return count;}
public static int[] removeDuplicates(int[] values) {LinkedHashSet<Integer> seen = new LinkedHashSet<>();for (int value : values) {seen.add(value);}int[] result = new int[seen.size()];int i = 0;for (int value : seen) {result[i++] = value;}return result;}
public static int sumOfEvens(int[] values) {int total = 0;for (int value : values) {if (value % 2 == 0) {total += value;}}return total;}
public static int maxValue(int[] values) {int best = values[0];for (int i = 1; i < values.length; i++) {if (values[i] > best) {best = values[i];}}return best;}
public static int[] runningSum(int[] values) {int[] result = new int[values.length];int total = 0;for (int i = 0; i < values.length; i++) {total += values[i];result[i] = total;}return result;}
public static int[] rotateLeft(int[] values, int steps) {int n = values.length;int[] result = new int[n];if (n == 0) {return result;}int shift = steps % n;for (int i = 0; i < n; i++) {result[i] = values[(i + shift) % n];}return result;}
public static int factorial(int n) {int result = 1;for (int i = 2; i <= n; i++) {result *= i;}return result;}
public static int gcd(int a, int b) {while (b != 0) {int tmp = a % b;a = b;b = tmp;}return a;}
public static boolean isPrime(int n) {if (n < 2) {return false;}for (int i = 2; i * i <= n; i++) {if (n % i == 0) {return false;}}return true;}
public static int fibonacci(int n) {int a = 0;int b = 1;for (int i = 0; i < n; i++) {int next = a + b;a = b;b = next;}return a;}
public static int digitSum(int n) {int total = 0;while (n > 0) {total += n % 10;n /= 10;}return total;}
public static int clamp(int value, int low, int high) {if (value < low) {return low;}if (value > high) {return high;}return value;}
public static double mean(int[] values) {long total = 0;for (int value : values) {total += value;}return (double) total / values.length;}
public static int countWords(String text) {String trimmed = text.trim();if (trimmed.isEmpty()) {return 0;}return trimmed.split("\\s+").length;}
public static boolean isAnagram(String first, String second) {char[] a = first.replace(" ", "").toLowerCase().toCharArray();char[] b = second.replace(" ", "").toLowerCase().toCharArray();Arrays.sort(a);Arrays.sort(b);return Arrays.equals(a, b);}
public static String compressRuns(String text) {StringBuilder sb = new StringBuilder();int i = 0;while (i < text.length()) {int j = i;while (j < text.length() && text.charAt(j) == text.charAt(i)) {j++;}sb.append(text.charAt(i)).append(j - i);i = j;}return sb.toString();}
public static String toSnakeCase(String name) {StringBuilder sb = new StringBuilder();for (int i = 0; i < name.length(); i++) {char ch = name.charAt(i);if (Character.isUpperCase(ch)) {if (i > 0) {sb.append('_');}sb.append(Character.toLowerCase(ch));} else {sb.append(ch);}}return sb.toString();}
public static String longestWord(String text) {String best = "";for (String word : text.trim().split("\\s+")) {if (word.length() > best.length()) {best = word;}}return best;}
public static String binaryString(int n) {if (n == 0) {return "0";}StringBuilder sb = new StringBuilder();while (n > 0) {sb.append(n % 2);n /= 2;}return sb.reverse().toString();}
public static boolean isPowerOfTwo(int n) {return n > 0 && (n & (n - 1)) == 0;}
public static int secondLargest(int[] values) {TreeSet<Integer> distinct = new TreeSet<>();for (int value : values) {distinct.add(value);}distinct.pollLast();return distinct.last();}
public static int countGreater(int[] values, int threshold) {int count = 0;for (int value : values) {if (value > threshold) {count++;}}return count;}
public static int indexOf(int[] values, int target) {for (int i = 0; i < values.length; i++) {if (values[i] == target) {return i;}}return -1;}
public static int[] mergeSorted(int[] first, int[] second) {int[] result = new int[first.length + second.length];int i = 0;int j = 0;int k = 0;while (i < first.length && j < second.length) {result[k++] = first[i] <= second[j] ? first[i++] : second[j++];}while (i < first.length) {result[k++] = first[i++];}while (j < second.length) {result[k++] = second[j++];}return result;}
public static int dotProduct(int[] first, int[] second) {int total = 0;for (int i = 0; i < first.length; i++) {total += first[i] * second[i];}return total;}
public static String zeroPad(String text, int width) {StringBuilder sb = new StringBuilder();for (int i = text.length(); i < width; i++) {sb.append('0');}return sb.append(text).toString();}
public static String keepAlphanumeric(String text) {StringBuilder sb = new StringBuilder();for (char ch : text.toCharArray()) {if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {sb.append(ch);}}return sb.toString();}
public static String reverseWordOrder(String sentence) {String[] words = sentence.trim().split("\\s+");StringBuilder sb = new StringBuilder();for (int i = words.length - 1; i >= 0; i--) {if (words[i].isEmpty()) {continue;}if (sb.length() > 0) {sb.append(" ");}sb.append(words[i]);}return sb.toString();}
public static int vowelCount(String word) {int count = 0;for (char ch : word.toLowerCase().toCharArray()) {if ("aeiou".indexOf(ch) >= 0) {count++;}}return count;}
public static boolean readsSameBackwards(String word) {String lowered = word.toLowerCase();int i = 0;int j = lowered.length() - 1;while (i < j) {if (lowered.charAt(i) != lowered.charAt(j)) {return false;}i++;j--;}return true;}
public static String titleCaseWords(String line) {String[] parts = line.split(" ", -1);StringBuilder sb = new StringBuilder();for (int i = 0; i < parts.length; i++) {if (i > 0) {sb.append(" ");}String part = parts[i];if (!part.isEmpty()) {sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));}}return sb.toString();}
public static int countSubstring(String haystack, String needle) {int count = 0;int index = haystack.indexOf(needle);while (index >= 0) {count++;index = haystack.indexOf(needle, index + needle.length());}return count;}
public static int[] uniqueValues(int[] numbers) {LinkedHashSet<Integer> seen = new LinkedHashSet<>();for (int value : numbers) {seen.add(value);}int[] result = new int[seen.size()];int i = 0;for (int value : seen) {result[i++] = value;}return result;}
public static int evenSum(int[] numbers) {int total = 0;for (int value : numbers) {if (value % 2 == 0) {total += value;}}return total;}
public static int largestElement(int[] numbers) {int best = numbers[0];for (int i = 1; i < numbers.length; i++) {if (numbers[i] > best) {best = numbers[i];}}return best;}
public static int[] prefixSums(int[] numbers) {int[] result = new int[numbers.length];int total = 0;for (int i = 0; i < numbers.length; i++) {total += numbers[i];result[i] = total;}return result;}
public static int[] rotateArrayLeft(int[] items, int count) {int n = items.length;int[] result = new int[n];if (n == 0) {return result;}int shift = count % n;for (int i = 0; i < n; i++) {result[i] = items[(i + shift) % n];}return result;}
public static int computeFactorial(int number) {int result = 1;for (int i = 2; i <= number; i++) {result *= i;}return result;}
public static int greatestCommonDivisor(int first, int second) {while (second != 0) {int tmp = first % second;first = second;second = tmp;}return first;}
public static boolean checkPrime(int number) {if (number < 2) {return false;}for (int i = 2; i * i <= number; i++) {if (number % i == 0) {return false;}}return true;}
public static int nthFibonacci(int index) {int a = 0;int b = 1;for (int i = 0; i < index; i++) {int next = a + b;a = b;b = next;}return a;}
public static int sumOfDigits(int number) {int total = 0;while (number > 0) {total += number % 10;number /= 10;}return total;}
public static int clampValue(int x, int lower, int upper) {if (x < lower) {return lower;}if (x > upper) {return upper;}return x;}
public static double average(int[] numbers) {long total = 0;for (int value : numbers) {total += value;}return (double) total / numbers.length;}
public static int wordCount(String sentence) {String trimmed = sentence.trim();if (trimmed.isEmpty()) {return 0;}return trimmed.split("\\s+").length;}
public static boolean areAnagrams(String left, String right) {char[] a = left.replace(" ", "").toLowerCase().toCharArray();char[] b = right.replace(" ", "").toLowerCase().toCharArray();Arrays.sort(a);Arrays.sort(b);return Arrays.equals(a, b);}
public static String runLengthEncode(String data) {StringBuilder sb = new StringBuilder();int i = 0;while (i < data.length()) {int j = i;while (j < data.length() && data.charAt(j) == data.charAt(i)) {j++;}sb.append(data.charAt(i)).append(j - i);i = j;}return sb.toString();}
public static String camelToSnake(String identifier) {StringBuilder sb = new StringBuilder();for (int i = 0; i < identifier.length(); i++) {char ch = identifier.charAt(i);if (Character.isUpperCase(ch)) {if (i > 0) {sb.append('_');}sb.append(Character.toLowerCase(ch));} else {sb.append(ch);}}return sb.toString();}
public static String findLongestWord(String sentence) {String best = "";for (String word : sentence.trim().split("\\s+")) {if (word.length() > best.length()) {best = word;}}return best;}
public static String toBinary(int number) {if (number == 0) {return "0";}StringBuilder sb = new StringBuilder();while (number > 0) {sb.append(number % 2);number /= 2;}return sb.reverse().toString();}
public static boolean powerOfTwo(int number) {return number > 0 && (number & (number - 1)) == 0;}
public static int runnerUp(int[] numbers) {TreeSet<Integer> distinct = new TreeSet<>();for (int value : numbers) {distinct.add(value);}distinct.pollLast();return distinct.last();}
public static int countAbove(int[] numbers, int limit) {int count = 0;for (int value : numbers) {if (value > limit) {count++;}}return count;}
public static int findIndex(int[] items, int wanted) {for (int i = 0; i < items.length; i++) {if (items[i] == wanted) {return i;}}return -1;}
public static int[] mergeSortedArrays(int[] left, int[] right) {int[] result = new int[left.length + right.length];int i = 0;int j = 0;int k = 0;while (i < left.length && j < right.length) {result[k++] = left[i] <= right[j] ? left[i++] : right[j++];}while (i < left.length) {result[k++] = left[i++];}while (j < right.length) {result[k++] = right[j++];}return result;}
public static int innerProduct(int[] xs, int[] ys) {int total = 0;for (int i = 0; i < xs.length; i++) {total += xs[i] * ys[i];}return total;}
public static String padWithZeros(String digits, int size) {StringBuilder sb = new StringBuilder();for (int i = digits.length(); i < size; i++) {sb.append('0');}return sb.append(digits).toString();}
public static String stripSymbols(String raw) {StringBuilder sb = new StringBuilder();for (char ch : raw.toCharArray()) {if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {sb.append(ch);}}return sb.toString();}
public static String wordsReversed(String text) {String[] words = text.trim().split("\\s+");StringBuilder sb = new StringBuilder();for (int i = words.length - 1; i >= 0; i--) {if (words[i].isEmpty()) {continue;}if (sb.length() > 0) {sb.append(" ");}sb.append(words[i]);}return sb.toString();}
public static int numberOfVowels(String text) {int count = 0;for (char ch : text.toLowerCase().toCharArray()) {if ("aeiou".indexOf(ch) >= 0) {count++;}}return count;}
public static boolean checkPalindrome(String text) {String lowered = text.toLowerCase();int i = 0;int j = lowered.length() - 1;while (i < j) {if (lowered.charAt(i) != lowered.charAt(j)) {return false;}i++;j--;}return true;}
public static String capitalizeEachWord(String text) {String[] parts = text.split(" ", -1);StringBuilder sb = new StringBuilder();for (int i = 0; i < parts.length; i++) {if (i > 0) {sb.append(" ");}String part = parts[i];if (!part.isEmpty()) {sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));}}return sb.toString();}
public static int occurrenceCount(String text, String pattern) {int count = 0;int index = text.indexOf(pattern);while (index >= 0) {count++;index = text.indexOf(pattern, index + pattern.length());}return count;}
public static int[] dedupeValues(int[] values) {LinkedHashSet<Integer> seen = new LinkedHashSet<>();for (int value : values) {seen.add(value);}int[] result = new int[seen.size()];int i = 0;for (int value : seen) {result[i++] = value;}return result;}
public static int sumEvenValues(int[] values) {int total = 0;for (int value : values) {if (value % 2 == 0) {total += value;}}return total;}
public static int findMaximum(int[] values) {int best = values[0];for (int i = 1; i < values.length; i++) {if (values[i] > best) {best = values[i];}}return best;}
public static int[] cumulativeSum(int[] values) {int[] result = new int[values.length];int total = 0;for (int i = 0; i < values.length; i++) {total += values[i];result[i] = total;}return result;}
public static int[] shiftLeft(int[] values, int steps) {int n = values.length;int[] result = new int[n];if (n == 0) {return result;}int shift = steps % n;for (int i = 0; i < n; i++) {result[i] = values[(i + shift) % n];}return result;}
public static int factorialOf(int n) {int result = 1;for (int i = 2; i <= n; i++) {result *= i;}return result;}
public static int computeGcd(int a, int b) {while (b != 0) {int tmp = a % b;a = b;b = tmp;}return a;}
public static boolean isPrimeNumber(int n) {if (n < 2) {return false;}for (int i = 2; i * i <= n; i++) {if (n % i == 0) {return false;}}return true;}
public static int fibonacciNumber(int n) {int a = 0;int b = 1;for (int i = 0; i < n; i++) {int next = a + b;a = b;b = next;}return a;}
public static int addDigits(int n) {int total = 0;while (n > 0) {total += n % 10;n /= 10;}return total;}
public static int boundValue(int value, int low, int high) {if (value < low) {return low;}if (value > high) {return high;}return value;}
public static double arithmeticMean(int[] values) {long total = 0;for (int value : values) {total += value;}return (double) total / values.length;}
public static int numberOfWords(String text) {String trimmed = text.trim();if (trimmed.isEmpty()) {return 0;}return trimmed.split("\\s+").length;}
public static boolean checkAnagram(String first, String second) {char[] a = first.replace(" ", "").toLowerCase().toCharArray();char[] b = second.replace(" ", "").toLowerCase().toCharArray();Arrays.sort(a);Arrays.sort(b);return Arrays.equals(a, b);}
public static String encodeRuns(String text) {StringBuilder sb = new StringBuilder();int i = 0;while (i < text.length()) {int j = i;while (j < text.length() && text.charAt(j) == text.charAt(i)) {j++;}sb.append(text.charAt(i)).append(j - i);i = j;}return sb.toString();}
public static String snakeCaseName(String name) {StringBuilder sb = new StringBuilder();for (int i = 0; i < name.length(); i++) {char ch = name.charAt(i);if (Character.isUpperCase(ch)) {if (i > 0) {sb.append('_');}sb.append(Character.toLowerCase(ch));} else {sb.append(ch);}}return sb.toString();}
public static String longestToken(String text) {String best = "";for (String word : text.trim().split("\\s+")) {if (word.length() > best.length()) {best = word;}}return best;}
public static String binaryRepresentation(int n) {if (n == 0) {return "0";}StringBuilder sb = new StringBuilder();while (n > 0) {sb.append(n % 2);n /= 2;}return sb.reverse().toString();}
public static boolean checkPowerOfTwo(int n) {return n > 0 && (n & (n - 1)) == 0;}
public static int secondMax(int[] values) {TreeSet<Integer> distinct = new TreeSet<>();for (int value : values) {distinct.add(value);}distinct.pollLast();return distinct.last();}
public static int countExceeding(int[] values, int threshold) {int count = 0;for (int value : values) {if (value > threshold) {count++;}}return count;}
public static int positionOf(int[] values, int target) {for (int i = 0; i < values.length; i++) {if (values[i] == target) {return i;}}return -1;}
public static int[] mergeTwoSorted(int[] first, int[] second) {int[] result = new int[first.length + second.length];int i = 0;int j = 0;int k = 0;while (i < first.length && j < second.length) {result[k++] = first[i] <= second[j] ? first[i++] : second[j++];}while (i < first.length) {result[k++] = first[i++];}while (j < second.length) {result[k++] = second[j++];}return result;}
public static int scalarProduct(int[] first, int[] second) {int total = 0;for (int i = 0; i < first.length; i++) {total += first[i] * second[i];}return total;}
public static String leftPadZeros(String text, int width) {StringBuilder sb = new StringBuilder();for (int i = text.length(); i < width; i++) {sb.append('0');}return sb.append(text).toString();}
public static String alphanumericOnly(String text) {StringBuilder sb = new StringBuilder();for (char ch : text.toCharArray()) {if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {sb.append(ch);}}return sb.toString();}
public static String reverseWords(String sentence) {String[] words = sentence.trim().split("\\s+");StringBuilder sb = new StringBuilder();for (int i = words.length - 1; i >= 0; i--) {if (words[i].isEmpty()) {continue;}if (sb.length() > 0) {sb.append(" ");}sb.append(words[i]);}return sb.toString();}
public static int countVowels(String word) {int count = 0;for (char ch : word.toLowerCase().toCharArray()) {if ("aeiou".indexOf(ch) >= 0) {count++;}}return count;}
public static boolean isPalindrome(String word) {String lowered = word.toLowerCase();int i = 0;int j = lowered.length() - 1;while (i < j) {if (lowered.charAt(i) != lowered.charAt(j)) {return false;}i++;j--;}return true;}
