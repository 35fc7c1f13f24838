public static String joinWithCommas(String[] items) {return String.join(", ", items);}
public static String[] filterLongWords(String[] words, int minimum) {List<String> result = new ArrayList<>();for (String word : words) {if (word.length() >= minimum) {result.add(word);}}return result.toArray(new String[0]);}
public static int countUppercase(String text) {int count = 0;for (char ch : text.toCharArray()) {if (Character.isUpperCase(ch)) {count++;}}return count;}
public static String commaJoin(String[] parts) {return String.join(", ", parts);}
public static String[] wordsAtLeast(String[] tokens, int length) {List<String> result = new ArrayList<>();for (String word : tokens) {if (word.length() >= length) {result.add(word);}}return result.toArray(new String[0]);}
public static int uppercaseCount(String line) {int count = 0;for (char ch : line.toCharArray()) {if (Character.isUpperCase(ch)) {count++;}}return count;}
public static String joinItems(String[] items) {return String.join(", ", items);}
public static String[] keepLongWords(String[] words, int minimum) {List<String> result = new ArrayList<>();for (String word : words) {if (word.length() >= minimum) {result.add(word);}}return result.toArray(new String[0]);}
public static int countCapitals(String text) {int count = 0;for (char ch : text.toCharArray()) {if (Character.isUpperCase(ch)) {count++;}}return count;}
public static String joinWithCommas(String[] parts) {return String.join(", ", parts);}
public static String[] filterLongWords(String[] tokens, int length) {List<String> result = new ArrayList<>();for (String word : tokens) {if (word.length() >= length) {result.add(word);}}return result.toArray(new String[0]);}
public static int countUppercase(String line) {int count = 0;for (char ch : line.toCharArray()) {if (Character.isUpperCase(ch)) {count++;}}return count;}
