public static double celsiusToFahrenheit(double celsius) {return celsius * 9.0 / 5.0 + 32.0;}
public static int lcm(int a, int b) {int x = a;int y = b;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return a / x * b;}
public static int[] reverseArray(int[] values) {int n = values.length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = values[n - 1 - i];}return result;}
public static boolean isSorted(int[] values) {for (int i = 1; i < values.length; i++) {if (values[i - 1] > values[i]) {return false;}}return true;}
public static int sumOfSquares(int n) {int total = 0;for (int i = 1; i <= n; i++) {total += i * i;}return total;}
public static String commonPrefix(String first, String second) {int i = 0;while (i < first.length() && i < second.length() && first.charAt(i) == second.charAt(i)) {i++;}return first.substring(0, i);}
public static int hammingDistance(String first, String second) {int count = 0;for (int i = 0; i < first.length(); i++) {if (first.charAt(i) != second.charAt(i)) {count++;}}return count;}
public static int countInRange(int[] values, int low, int high) {int count = 0;for (int value : values) {if (value >= low && value <= high) {count++;}}return count;}
public static String repeatCharacters(String text, int times) {StringBuilder sb = new StringBuilder();for (char ch : text.toCharArray()) {for (int i = 0; i < times; i++) {sb.append(ch);}}return sb.toString();}
public static double toFahrenheit(double degrees) {return degrees * 9.0 / 5.0 + 32.0;}
public static int leastCommonMultiple(int first, int second) {int x = first;int y = second;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return first / x * second;}
public static int[] reversedCopy(int[] items) {int n = items.length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = items[n - 1 - i];}return result;}
public static boolean isNonDecreasing(int[] numbers) {for (int i = 1; i < numbers.length; i++) {if (numbers[i - 1] > numbers[i]) {return false;}}return true;}
public static int squareSum(int limit) {int total = 0;for (int i = 1; i <= limit; i++) {total += i * i;}return total;}
public static String longestCommonPrefix(String left, String right) {int i = 0;while (i < left.length() && i < right.length() && left.charAt(i) == right.charAt(i)) {i++;}return left.substring(0, i);}
public static int countMismatches(String left, String right) {int count = 0;for (int i = 0; i < left.length(); i++) {if (left.charAt(i) != right.charAt(i)) {count++;}}return count;}
public static int countBetween(int[] numbers, int lower, int upper) {int count = 0;for (int value : numbers) {if (value >= lower && value <= upper) {count++;}}return count;}
public static String doubleLetters(String word, int factor) {StringBuilder sb = new StringBuilder();for (char ch : word.toCharArray()) {for (int i = 0; i < factor; i++) {sb.append(ch);}}return sb.toString();}
public static double convertToFahrenheit(double celsius) {return celsius * 9.0 / 5.0 + 32.0;}
public static int computeLcm(int a, int b) {int x = a;int y = b;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return a / x * b;}
public static int[] reverseValues(int[] values) {int n = values.length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = values[n - 1 - i];}return result;}
public static boolean checkSorted(int[] values) {for (int i = 1; i < values.length; i++) {if (values[i - 1] > values[i]) {return false;}}return true;}
public static int sumSquaresUpTo(int n) {int total = 0;for (int i = 1; i <= n; i++) {total += i * i;}return total;}
public static String sharedPrefix(String first, String second) {int i = 0;while (i < first.length() && i < second.length() && first.charAt(i) == second.charAt(i)) {i++;}return first.substring(0, i);}
public static int positionDifferences(String first, String second) {int count = 0;for (int i = 0; i < first.length(); i++) {if (first.charAt(i) != second.charAt(i)) {count++;}}return count;}
public static int rangeCount(int[] values, int low, int high) {int count = 0;for (int value : values) {if (value >= low && value <= high) {count++;}}return count;}
public static String stutterText(String text, int times) {StringBuilder sb = new StringBuilder();for (char ch : text.toCharArray()) {for (int i = 0; i < times; i++) {sb.append(ch);}}return sb.toString();}
public static double celsiusToFahrenheit(double degrees) {return degrees * 9.0 / 5.0 + 32.0;}
public static int lcm(int first, int second) {int x = first;int y = second;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return first / x * second;}
public static int[] reverseArray(int[] items) {int n = items.length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = items[n - 1 - i];}return result;}
public static boolean isSorted(int[] numbers) {for (int i = 1; i < numbers.length; i++) {if (numbers[i - 1] > numbers[i]) {return false;}}return true;}
public static int sumOfSquares(int limit) {int total = 0;for (int i = 1; i <= limit; i++) {total += i * i;}return total;}
public static String commonPrefix(String left, String right) {int i = 0;while (i < left.length() && i < right.length() && left.charAt(i) == right.charAt(i)) {i++;}return left.substring(0, i);}
public static int hammingDistance(String left, String right) {int count = 0;for (int i = 0; i < left.length(); i++) {if (left.charAt(i) != right.charAt(i)) {count++;}}return count;}
public static int countInRange(int[] numbers, int lower, int upper) {int count = 0;for (int value : numbers) {if (value >= lower && value <= upper) {count++;}}return count;}
public static String repeatCharacters(String word, int factor) {StringBuilder sb = new StringBuilder();for (char ch : word.toCharArray()) {for (int i = 0; i < factor; i++) {sb.append(ch);}}return sb.toString();}
