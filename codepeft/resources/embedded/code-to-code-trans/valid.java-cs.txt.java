public static String joinWithCommas(String[] items) {return String.join(", ", items);}
public static String[] filterLongWords(String[] words, int minimum) {List<String> result = new ArrayList<>();for (String word : words) {if (word.length() >= minimum) {result.add(word);}}return result.toArray(new String[0]);}
public static int countUppercase(String text) {int count = 0;for (char ch : text.toCharArray()) {if (Character.isUpperCase(ch)) {count++;}}return count;}
public static double celsiusToFahrenheit(double celsius) {return celsius * 9.0 / 5.0 + 32.0;}
public static int lcm(int a, int b) {int x = a;int y = b;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return a / x * b;}
public static int[] reverseArray(int[] values) {int n = values.length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = values[n - 1 - i];}return result;}
public static String commaJoin(String[] parts) {return String.join(", ", parts);}
public static String[] wordsAtLeast(String[] tokens, int length) {List<String> result = new ArrayList<>();for (String word : tokens) {if (word.length() >= length) {result.add(word);}}return result.toArray(new String[0]);}
public static int uppercaseCount(String line) {int count = 0;for (char ch : line.toCharArray()) {if (Character.isUpperCase(ch)) {count++;}}return count;}
public static double toFahrenheit(double degrees) {return degrees * 9.0 / 5.0 + 32.0;}
public static int leastCommonMultiple(int first, int second) {int x = first;int y = second;while (y != 0) {int tmp = x % y;x = y;y = tmp;}return first / x * second;}
public static int[] reversedCopy(int[] items) {int n = items.length;int[] result = new int[n];for (int i = 0; i < n; i++) {result[i] = items[n - 1 - i];}return result;}
