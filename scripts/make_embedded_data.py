"""Write the embedded default datasets (codepeft/resources/embedded/), deterministically.

All data is of this project's own making: a catalogue of small utility functions (below), each
with a one-sentence docstring, parallel Python / Java / C# implementations and test cases.
Every file is derived from it in the original formats of the real sources, so the same loaders
read the embedded and the real data:

- code-to-text/{python,java}/{train,valid,test}.jsonl     CodeXGLUE code-to-text fields
- code-to-code-trans/{train,valid,test}.java-cs.txt.{java,cs}   CodeXGLUE parallel lines
- codereval/CE{Python,Java}HumanLabel.jsonl, ids_to_discard.json, levels_by_id.json,
  solutions.jsonl, tests.jsonl                            CoderEval-style generation tasks
- summarization-eval/cs_codereval_eval_dataset_{java,py}_v2.jsonl

Functions 0-30 feed the training split, 31-33 valid, 34-42 test; the summarization eval set and
most generation tasks use the 12 held-out functions (31-42), never trained on. Eight generation
tasks are training functions verbatim (`RECALL`, the shortest ones): a tiny model cannot write unseen
functions, so these are what shows that training, adapter loading and generation work.
Rows differ by function name, parameter names and docstring style (variants).

Before writing, the script checks every function variant against its tests in Python, in Java
(one javac + one java run) and, where mono's `mcs` is installed, compiles the C# versions.

Usage:
    .venv/bin/python scripts/make_embedded_data.py            # rewrite codepeft/resources/embedded
    .venv/bin/python scripts/make_embedded_data.py --out /tmp/embedded --no-check
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fn:
    names: tuple[str, ...]  # snake_case names; variants pick among them
    doc: str  # one sentence
    params: tuple[tuple[str, str, str], ...]  # (name, alternative name, type)
    ret: str
    py: str
    java: str
    cs: str
    tests: tuple[tuple[tuple, object], ...]


CATALOGUE: list[Fn] = [
    Fn(
        ("reverse_words", "reverse_word_order", "words_reversed"),
        "Return the words of a sentence in reverse order, separated by single spaces.",
        (("text", "sentence", "str"),),
        "str",
        r"""
def @fn@(@p0@):
    words = @p0@.split()
    return " ".join(reversed(words))
""",
        r"""
public static String @fn@(String @p0@) {
    String[] words = @p0@.trim().split("\\s+");
    StringBuilder sb = new StringBuilder();
    for (int i = words.length - 1; i >= 0; i--) {
        if (words[i].isEmpty()) {
            continue;
        }
        if (sb.length() > 0) {
            sb.append(" ");
        }
        sb.append(words[i]);
    }
    return sb.toString();
}
""",
        r"""
public static string @fn@(string @p0@) {
    string[] words = @p0@.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries);
    Array.Reverse(words);
    return string.Join(" ", words);
}
""",
        ((("hello big world",), "world big hello"), (("  one   two ",), "two one"), (("",), "")),
    ),
    Fn(
        ("count_vowels", "vowel_count", "number_of_vowels"),
        "Count the vowels (a, e, i, o, u, in either case) in a string.",
        (("text", "word", "str"),),
        "int",
        r"""
def @fn@(@p0@):
    count = 0
    for ch in @p0@.lower():
        if ch in "aeiou":
            count += 1
    return count
""",
        r"""
public static int @fn@(String @p0@) {
    int count = 0;
    for (char ch : @p0@.toLowerCase().toCharArray()) {
        if ("aeiou".indexOf(ch) >= 0) {
            count++;
        }
    }
    return count;
}
""",
        r"""
public static int @fn@(string @p0@) {
    int count = 0;
    foreach (char ch in @p0@.ToLower()) {
        if ("aeiou".IndexOf(ch) >= 0) {
            count++;
        }
    }
    return count;
}
""",
        ((("Programming",), 3), (("AEIOU xyz",), 5), (("",), 0), (("rhythm",), 0)),
    ),
    Fn(
        ("is_palindrome", "reads_same_backwards", "check_palindrome"),
        "Check whether a string reads the same forwards and backwards, ignoring case.",
        (("text", "word", "str"),),
        "bool",
        r"""
def @fn@(@p0@):
    lowered = @p0@.lower()
    return lowered == lowered[::-1]
""",
        r"""
public static boolean @fn@(String @p0@) {
    String lowered = @p0@.toLowerCase();
    int i = 0;
    int j = lowered.length() - 1;
    while (i < j) {
        if (lowered.charAt(i) != lowered.charAt(j)) {
            return false;
        }
        i++;
        j--;
    }
    return true;
}
""",
        r"""
public static bool @fn@(string @p0@) {
    string lowered = @p0@.ToLower();
    int i = 0;
    int j = lowered.Length - 1;
    while (i < j) {
        if (lowered[i] != lowered[j]) {
            return false;
        }
        i++;
        j--;
    }
    return true;
}
""",
        ((("Racecar",), True), (("abca",), False), (("",), True), (("Noon",), True)),
    ),
    Fn(
        ("capitalize_words", "title_case_words", "capitalize_each_word"),
        "Capitalize the first letter of every space-separated word of a string.",
        (("text", "line", "str"),),
        "str",
        r"""
def @fn@(@p0@):
    parts = @p0@.split(" ")
    return " ".join(part[:1].upper() + part[1:] for part in parts)
""",
        r"""
public static String @fn@(String @p0@) {
    String[] parts = @p0@.split(" ", -1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
            sb.append(" ");
        }
        String part = parts[i];
        if (!part.isEmpty()) {
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
    }
    return sb.toString();
}
""",
        r"""
public static string @fn@(string @p0@) {
    string[] parts = @p0@.Split(' ');
    for (int i = 0; i < parts.Length; i++) {
        if (parts[i].Length > 0) {
            parts[i] = char.ToUpper(parts[i][0]) + parts[i].Substring(1);
        }
    }
    return string.Join(" ", parts);
}
""",
        (
            (("hello world",), "Hello World"),
            (("a  b",), "A  B"),
            (("",), ""),
            (("x1 yZ",), "X1 YZ"),
        ),
    ),
    Fn(
        ("count_occurrences", "count_substring", "occurrence_count"),
        "Count the non-overlapping occurrences of a non-empty substring in a string.",
        (("text", "haystack", "str"), ("pattern", "needle", "str")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    return @p0@.count(@p1@)
""",
        r"""
public static int @fn@(String @p0@, String @p1@) {
    int count = 0;
    int index = @p0@.indexOf(@p1@);
    while (index >= 0) {
        count++;
        index = @p0@.indexOf(@p1@, index + @p1@.length());
    }
    return count;
}
""",
        r"""
public static int @fn@(string @p0@, string @p1@) {
    int count = 0;
    int index = @p0@.IndexOf(@p1@, StringComparison.Ordinal);
    while (index >= 0) {
        count++;
        index = @p0@.IndexOf(@p1@, index + @p1@.Length, StringComparison.Ordinal);
    }
    return count;
}
""",
        ((("banana", "an"), 2), (("aaaa", "aa"), 2), (("abc", "d"), 0)),
    ),
    Fn(
        ("remove_duplicates", "unique_values", "dedupe_values"),
        "Remove duplicate integers from an array, keeping the first occurrence of each.",
        (("values", "numbers", "int[]"),),
        "int[]",
        r"""
def @fn@(@p0@):
    seen = set()
    result = []
    for value in @p0@:
        if value not in seen:
            seen.add(value)
            result.append(value)
    return result
""",
        r"""
public static int[] @fn@(int[] @p0@) {
    LinkedHashSet<Integer> seen = new LinkedHashSet<>();
    for (int value : @p0@) {
        seen.add(value);
    }
    int[] result = new int[seen.size()];
    int i = 0;
    for (int value : seen) {
        result[i++] = value;
    }
    return result;
}
""",
        r"""
public static int[] @fn@(int[] @p0@) {
    HashSet<int> seen = new HashSet<int>();
    List<int> result = new List<int>();
    foreach (int value in @p0@) {
        if (seen.Add(value)) {
            result.Add(value);
        }
    }
    return result.ToArray();
}
""",
        ((([3, 1, 3, 2, 1],), [3, 1, 2]), (([],), []), (([5, 5, 5],), [5])),
    ),
    Fn(
        ("sum_of_evens", "even_sum", "sum_even_values"),
        "Return the sum of the even elements of an integer array.",
        (("values", "numbers", "int[]"),),
        "int",
        r"""
def @fn@(@p0@):
    total = 0
    for value in @p0@:
        if value % 2 == 0:
            total += value
    return total
""",
        r"""
public static int @fn@(int[] @p0@) {
    int total = 0;
    for (int value : @p0@) {
        if (value % 2 == 0) {
            total += value;
        }
    }
    return total;
}
""",
        r"""
public static int @fn@(int[] @p0@) {
    int total = 0;
    foreach (int value in @p0@) {
        if (value % 2 == 0) {
            total += value;
        }
    }
    return total;
}
""",
        ((([1, 2, 3, 4],), 6), (([],), 0), (([-2, -3, 7],), -2)),
    ),
    Fn(
        ("max_value", "largest_element", "find_maximum"),
        "Return the largest element of a non-empty integer array.",
        (("values", "numbers", "int[]"),),
        "int",
        r"""
def @fn@(@p0@):
    best = @p0@[0]
    for value in @p0@[1:]:
        if value > best:
            best = value
    return best
""",
        r"""
public static int @fn@(int[] @p0@) {
    int best = @p0@[0];
    for (int i = 1; i < @p0@.length; i++) {
        if (@p0@[i] > best) {
            best = @p0@[i];
        }
    }
    return best;
}
""",
        r"""
public static int @fn@(int[] @p0@) {
    int best = @p0@[0];
    for (int i = 1; i < @p0@.Length; i++) {
        if (@p0@[i] > best) {
            best = @p0@[i];
        }
    }
    return best;
}
""",
        ((([3, 9, 2],), 9), (([-5, -1, -7],), -1), (([4],), 4)),
    ),
    Fn(
        ("running_sum", "prefix_sums", "cumulative_sum"),
        "Return the running (prefix) sums of an integer array.",
        (("values", "numbers", "int[]"),),
        "int[]",
        r"""
def @fn@(@p0@):
    result = []
    total = 0
    for value in @p0@:
        total += value
        result.append(total)
    return result
""",
        r"""
public static int[] @fn@(int[] @p0@) {
    int[] result = new int[@p0@.length];
    int total = 0;
    for (int i = 0; i < @p0@.length; i++) {
        total += @p0@[i];
        result[i] = total;
    }
    return result;
}
""",
        r"""
public static int[] @fn@(int[] @p0@) {
    int[] result = new int[@p0@.Length];
    int total = 0;
    for (int i = 0; i < @p0@.Length; i++) {
        total += @p0@[i];
        result[i] = total;
    }
    return result;
}
""",
        ((([1, 2, 3],), [1, 3, 6]), (([],), []), (([5, -5, 2],), [5, 0, 2])),
    ),
    Fn(
        ("rotate_left", "rotate_array_left", "shift_left"),
        "Rotate an integer array to the left by a non-negative number of positions.",
        (("values", "items", "int[]"), ("steps", "count", "int")),
        "int[]",
        r"""
def @fn@(@p0@, @p1@):
    if not @p0@:
        return []
    shift = @p1@ % len(@p0@)
    return @p0@[shift:] + @p0@[:shift]
""",
        r"""
public static int[] @fn@(int[] @p0@, int @p1@) {
    int n = @p0@.length;
    int[] result = new int[n];
    if (n == 0) {
        return result;
    }
    int shift = @p1@ % n;
    for (int i = 0; i < n; i++) {
        result[i] = @p0@[(i + shift) % n];
    }
    return result;
}
""",
        r"""
public static int[] @fn@(int[] @p0@, int @p1@) {
    int n = @p0@.Length;
    int[] result = new int[n];
    if (n == 0) {
        return result;
    }
    int shift = @p1@ % n;
    for (int i = 0; i < n; i++) {
        result[i] = @p0@[(i + shift) % n];
    }
    return result;
}
""",
        ((([1, 2, 3, 4], 1), [2, 3, 4, 1]), (([1, 2, 3], 5), [3, 1, 2]), (([], 3), [])),
    ),
    Fn(
        ("factorial", "compute_factorial", "factorial_of"),
        "Compute the factorial of a non-negative integer.",
        (("n", "number", "int"),),
        "int",
        r"""
def @fn@(@p0@):
    result = 1
    for i in range(2, @p0@ + 1):
        result *= i
    return result
""",
        r"""
public static int @fn@(int @p0@) {
    int result = 1;
    for (int i = 2; i <= @p0@; i++) {
        result *= i;
    }
    return result;
}
""",
        r"""
public static int @fn@(int @p0@) {
    int result = 1;
    for (int i = 2; i <= @p0@; i++) {
        result *= i;
    }
    return result;
}
""",
        (((0,), 1), ((5,), 120), ((10,), 3628800)),
    ),
    Fn(
        ("gcd", "greatest_common_divisor", "compute_gcd"),
        "Compute the greatest common divisor of two non-negative integers.",
        (("a", "first", "int"), ("b", "second", "int")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    while @p1@ != 0:
        @p0@, @p1@ = @p1@, @p0@ % @p1@
    return @p0@
""",
        r"""
public static int @fn@(int @p0@, int @p1@) {
    while (@p1@ != 0) {
        int tmp = @p0@ % @p1@;
        @p0@ = @p1@;
        @p1@ = tmp;
    }
    return @p0@;
}
""",
        r"""
public static int @fn@(int @p0@, int @p1@) {
    while (@p1@ != 0) {
        int tmp = @p0@ % @p1@;
        @p0@ = @p1@;
        @p1@ = tmp;
    }
    return @p0@;
}
""",
        (((12, 18), 6), ((7, 0), 7), ((17, 5), 1)),
    ),
    Fn(
        ("is_prime", "check_prime", "is_prime_number"),
        "Check whether an integer is a prime number.",
        (("n", "number", "int"),),
        "bool",
        r"""
def @fn@(@p0@):
    if @p0@ < 2:
        return False
    i = 2
    while i * i <= @p0@:
        if @p0@ % i == 0:
            return False
        i += 1
    return True
""",
        r"""
public static boolean @fn@(int @p0@) {
    if (@p0@ < 2) {
        return false;
    }
    for (int i = 2; i * i <= @p0@; i++) {
        if (@p0@ % i == 0) {
            return false;
        }
    }
    return true;
}
""",
        r"""
public static bool @fn@(int @p0@) {
    if (@p0@ < 2) {
        return false;
    }
    for (int i = 2; i * i <= @p0@; i++) {
        if (@p0@ % i == 0) {
            return false;
        }
    }
    return true;
}
""",
        (((2,), True), ((15,), False), ((97,), True), ((1,), False)),
    ),
    Fn(
        ("fibonacci", "nth_fibonacci", "fibonacci_number"),
        "Return the n-th Fibonacci number, counting from fibonacci(0) = 0.",
        (("n", "index", "int"),),
        "int",
        r"""
def @fn@(@p0@):
    a, b = 0, 1
    for _ in range(@p0@):
        a, b = b, a + b
    return a
""",
        r"""
public static int @fn@(int @p0@) {
    int a = 0;
    int b = 1;
    for (int i = 0; i < @p0@; i++) {
        int next = a + b;
        a = b;
        b = next;
    }
    return a;
}
""",
        r"""
public static int @fn@(int @p0@) {
    int a = 0;
    int b = 1;
    for (int i = 0; i < @p0@; i++) {
        int next = a + b;
        a = b;
        b = next;
    }
    return a;
}
""",
        (((0,), 0), ((1,), 1), ((10,), 55)),
    ),
    Fn(
        ("digit_sum", "sum_of_digits", "add_digits"),
        "Return the sum of the decimal digits of a non-negative integer.",
        (("n", "number", "int"),),
        "int",
        r"""
def @fn@(@p0@):
    total = 0
    while @p0@ > 0:
        total += @p0@ % 10
        @p0@ //= 10
    return total
""",
        r"""
public static int @fn@(int @p0@) {
    int total = 0;
    while (@p0@ > 0) {
        total += @p0@ % 10;
        @p0@ /= 10;
    }
    return total;
}
""",
        r"""
public static int @fn@(int @p0@) {
    int total = 0;
    while (@p0@ > 0) {
        total += @p0@ % 10;
        @p0@ /= 10;
    }
    return total;
}
""",
        (((1234,), 10), ((0,), 0), ((909,), 18)),
    ),
    Fn(
        ("clamp", "clamp_value", "bound_value"),
        "Clamp an integer to the inclusive range between a lower and an upper bound.",
        (("value", "x", "int"), ("low", "lower", "int"), ("high", "upper", "int")),
        "int",
        r"""
def @fn@(@p0@, @p1@, @p2@):
    if @p0@ < @p1@:
        return @p1@
    if @p0@ > @p2@:
        return @p2@
    return @p0@
""",
        r"""
public static int @fn@(int @p0@, int @p1@, int @p2@) {
    if (@p0@ < @p1@) {
        return @p1@;
    }
    if (@p0@ > @p2@) {
        return @p2@;
    }
    return @p0@;
}
""",
        r"""
public static int @fn@(int @p0@, int @p1@, int @p2@) {
    if (@p0@ < @p1@) {
        return @p1@;
    }
    if (@p0@ > @p2@) {
        return @p2@;
    }
    return @p0@;
}
""",
        (((5, 0, 10), 5), ((-3, 0, 10), 0), ((42, 0, 10), 10)),
    ),
    Fn(
        ("mean", "average", "arithmetic_mean"),
        "Return the arithmetic mean of a non-empty integer array.",
        (("values", "numbers", "int[]"),),
        "float",
        r"""
def @fn@(@p0@):
    return sum(@p0@) / len(@p0@)
""",
        r"""
public static double @fn@(int[] @p0@) {
    long total = 0;
    for (int value : @p0@) {
        total += value;
    }
    return (double) total / @p0@.length;
}
""",
        r"""
public static double @fn@(int[] @p0@) {
    long total = 0;
    foreach (int value in @p0@) {
        total += value;
    }
    return (double) total / @p0@.Length;
}
""",
        ((([1, 2, 3, 4],), 2.5), (([7],), 7.0), (([-1, 1],), 0.0)),
    ),
    Fn(
        ("count_words", "word_count", "number_of_words"),
        "Count the whitespace-separated words in a string.",
        (("text", "sentence", "str"),),
        "int",
        r"""
def @fn@(@p0@):
    return len(@p0@.split())
""",
        r"""
public static int @fn@(String @p0@) {
    String trimmed = @p0@.trim();
    if (trimmed.isEmpty()) {
        return 0;
    }
    return trimmed.split("\\s+").length;
}
""",
        r"""
public static int @fn@(string @p0@) {
    return @p0@.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries).Length;
}
""",
        ((("the quick brown fox",), 4), (("   ",), 0), ((" a  b ",), 2)),
    ),
    Fn(
        ("is_anagram", "are_anagrams", "check_anagram"),
        "Check whether two strings are anagrams of each other, ignoring case and spaces.",
        (("first", "left", "str"), ("second", "right", "str")),
        "bool",
        r"""
def @fn@(@p0@, @p1@):
    def normalize(text):
        return sorted(text.replace(" ", "").lower())

    return normalize(@p0@) == normalize(@p1@)
""",
        r"""
public static boolean @fn@(String @p0@, String @p1@) {
    char[] a = @p0@.replace(" ", "").toLowerCase().toCharArray();
    char[] b = @p1@.replace(" ", "").toLowerCase().toCharArray();
    Arrays.sort(a);
    Arrays.sort(b);
    return Arrays.equals(a, b);
}
""",
        r"""
public static bool @fn@(string @p0@, string @p1@) {
    char[] a = @p0@.Replace(" ", "").ToLower().ToCharArray();
    char[] b = @p1@.Replace(" ", "").ToLower().ToCharArray();
    Array.Sort(a);
    Array.Sort(b);
    return new string(a) == new string(b);
}
""",
        (
            (("Listen", "Silent"), True),
            (("dormitory", "dirty room"), True),
            (("abc", "abd"), False),
        ),
    ),
    Fn(
        ("compress_runs", "run_length_encode", "encode_runs"),
        "Run-length encode a string, writing each character followed by the length of its run.",
        (("text", "data", "str"),),
        "str",
        r"""
def @fn@(@p0@):
    result = []
    i = 0
    while i < len(@p0@):
        j = i
        while j < len(@p0@) and @p0@[j] == @p0@[i]:
            j += 1
        result.append(@p0@[i] + str(j - i))
        i = j
    return "".join(result)
""",
        r"""
public static String @fn@(String @p0@) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < @p0@.length()) {
        int j = i;
        while (j < @p0@.length() && @p0@.charAt(j) == @p0@.charAt(i)) {
            j++;
        }
        sb.append(@p0@.charAt(i)).append(j - i);
        i = j;
    }
    return sb.toString();
}
""",
        r"""
public static string @fn@(string @p0@) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < @p0@.Length) {
        int j = i;
        while (j < @p0@.Length && @p0@[j] == @p0@[i]) {
            j++;
        }
        sb.Append(@p0@[i]).Append(j - i);
        i = j;
    }
    return sb.ToString();
}
""",
        ((("aaabcc",), "a3b1c2"), (("",), ""), (("xyz",), "x1y1z1")),
    ),
    Fn(
        ("to_snake_case", "camel_to_snake", "snake_case_name"),
        "Convert a camelCase identifier to snake_case.",
        (("name", "identifier", "str"),),
        "str",
        r"""
def @fn@(@p0@):
    result = []
    for i, ch in enumerate(@p0@):
        if ch.isupper():
            if i > 0:
                result.append("_")
            result.append(ch.lower())
        else:
            result.append(ch)
    return "".join(result)
""",
        r"""
public static String @fn@(String @p0@) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < @p0@.length(); i++) {
        char ch = @p0@.charAt(i);
        if (Character.isUpperCase(ch)) {
            if (i > 0) {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(ch));
        } else {
            sb.append(ch);
        }
    }
    return sb.toString();
}
""",
        r"""
public static string @fn@(string @p0@) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < @p0@.Length; i++) {
        char ch = @p0@[i];
        if (char.IsUpper(ch)) {
            if (i > 0) {
                sb.Append('_');
            }
            sb.Append(char.ToLower(ch));
        } else {
            sb.Append(ch);
        }
    }
    return sb.ToString();
}
""",
        ((("camelCaseName",), "camel_case_name"), (("Already",), "already"), (("x",), "x")),
    ),
    Fn(
        ("longest_word", "find_longest_word", "longest_token"),
        "Return the longest word of a sentence, the first one when several are equally long.",
        (("text", "sentence", "str"),),
        "str",
        r"""
def @fn@(@p0@):
    best = ""
    for word in @p0@.split():
        if len(word) > len(best):
            best = word
    return best
""",
        r"""
public static String @fn@(String @p0@) {
    String best = "";
    for (String word : @p0@.trim().split("\\s+")) {
        if (word.length() > best.length()) {
            best = word;
        }
    }
    return best;
}
""",
        r"""
public static string @fn@(string @p0@) {
    string best = "";
    foreach (string word in @p0@.Split(new char[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries)) {
        if (word.Length > best.Length) {
            best = word;
        }
    }
    return best;
}
""",
        ((("a quick brown fox",), "quick"), (("",), ""), (("ab cd",), "ab")),
    ),
    Fn(
        ("binary_string", "to_binary", "binary_representation"),
        "Return the binary representation of a non-negative integer without leading zeros.",
        (("n", "number", "int"),),
        "str",
        r"""
def @fn@(@p0@):
    if @p0@ == 0:
        return "0"
    digits = []
    while @p0@ > 0:
        digits.append(str(@p0@ % 2))
        @p0@ //= 2
    return "".join(reversed(digits))
""",
        r"""
public static String @fn@(int @p0@) {
    if (@p0@ == 0) {
        return "0";
    }
    StringBuilder sb = new StringBuilder();
    while (@p0@ > 0) {
        sb.append(@p0@ % 2);
        @p0@ /= 2;
    }
    return sb.reverse().toString();
}
""",
        r"""
public static string @fn@(int @p0@) {
    if (@p0@ == 0) {
        return "0";
    }
    StringBuilder sb = new StringBuilder();
    while (@p0@ > 0) {
        sb.Insert(0, @p0@ % 2);
        @p0@ /= 2;
    }
    return sb.ToString();
}
""",
        (((0,), "0"), ((5,), "101"), ((255,), "11111111")),
    ),
    Fn(
        ("is_power_of_two", "power_of_two", "check_power_of_two"),
        "Check whether an integer is a positive power of two.",
        (("n", "number", "int"),),
        "bool",
        r"""
def @fn@(@p0@):
    return @p0@ > 0 and (@p0@ & (@p0@ - 1)) == 0
""",
        r"""
public static boolean @fn@(int @p0@) {
    return @p0@ > 0 && (@p0@ & (@p0@ - 1)) == 0;
}
""",
        r"""
public static bool @fn@(int @p0@) {
    return @p0@ > 0 && (@p0@ & (@p0@ - 1)) == 0;
}
""",
        (((1,), True), ((64,), True), ((12,), False), ((0,), False)),
    ),
    Fn(
        ("second_largest", "runner_up", "second_max"),
        "Return the second largest distinct value of an array holding at least two distinct values.",
        (("values", "numbers", "int[]"),),
        "int",
        r"""
def @fn@(@p0@):
    distinct = sorted(set(@p0@), reverse=True)
    return distinct[1]
""",
        r"""
public static int @fn@(int[] @p0@) {
    TreeSet<Integer> distinct = new TreeSet<>();
    for (int value : @p0@) {
        distinct.add(value);
    }
    distinct.pollLast();
    return distinct.last();
}
""",
        r"""
public static int @fn@(int[] @p0@) {
    SortedSet<int> distinct = new SortedSet<int>(@p0@);
    distinct.Remove(distinct.Max);
    return distinct.Max;
}
""",
        ((([4, 9, 9, 2],), 4), (([1, 2],), 1), (([-3, -1, -2],), -2)),
    ),
    Fn(
        ("count_greater", "count_above", "count_exceeding"),
        "Count the elements of an array that are strictly greater than a threshold.",
        (("values", "numbers", "int[]"), ("threshold", "limit", "int")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    return sum(1 for value in @p0@ if value > @p1@)
""",
        r"""
public static int @fn@(int[] @p0@, int @p1@) {
    int count = 0;
    for (int value : @p0@) {
        if (value > @p1@) {
            count++;
        }
    }
    return count;
}
""",
        r"""
public static int @fn@(int[] @p0@, int @p1@) {
    int count = 0;
    foreach (int value in @p0@) {
        if (value > @p1@) {
            count++;
        }
    }
    return count;
}
""",
        ((([1, 5, 8, 5], 5), 1), (([], 0), 0), (([3, 4], -1), 2)),
    ),
    Fn(
        ("index_of", "find_index", "position_of"),
        "Return the index of the first occurrence of a target in an array, or -1 if it is absent.",
        (("values", "items", "int[]"), ("target", "wanted", "int")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    for i, value in enumerate(@p0@):
        if value == @p1@:
            return i
    return -1
""",
        r"""
public static int @fn@(int[] @p0@, int @p1@) {
    for (int i = 0; i < @p0@.length; i++) {
        if (@p0@[i] == @p1@) {
            return i;
        }
    }
    return -1;
}
""",
        r"""
public static int @fn@(int[] @p0@, int @p1@) {
    for (int i = 0; i < @p0@.Length; i++) {
        if (@p0@[i] == @p1@) {
            return i;
        }
    }
    return -1;
}
""",
        ((([4, 7, 7], 7), 1), (([1, 2], 3), -1), (([], 1), -1)),
    ),
    Fn(
        ("merge_sorted", "merge_sorted_arrays", "merge_two_sorted"),
        "Merge two sorted integer arrays into one sorted array.",
        (("first", "left", "int[]"), ("second", "right", "int[]")),
        "int[]",
        r"""
def @fn@(@p0@, @p1@):
    result = []
    i = j = 0
    while i < len(@p0@) and j < len(@p1@):
        if @p0@[i] <= @p1@[j]:
            result.append(@p0@[i])
            i += 1
        else:
            result.append(@p1@[j])
            j += 1
    return result + @p0@[i:] + @p1@[j:]
""",
        r"""
public static int[] @fn@(int[] @p0@, int[] @p1@) {
    int[] result = new int[@p0@.length + @p1@.length];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < @p0@.length && j < @p1@.length) {
        result[k++] = @p0@[i] <= @p1@[j] ? @p0@[i++] : @p1@[j++];
    }
    while (i < @p0@.length) {
        result[k++] = @p0@[i++];
    }
    while (j < @p1@.length) {
        result[k++] = @p1@[j++];
    }
    return result;
}
""",
        r"""
public static int[] @fn@(int[] @p0@, int[] @p1@) {
    int[] result = new int[@p0@.Length + @p1@.Length];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < @p0@.Length && j < @p1@.Length) {
        result[k++] = @p0@[i] <= @p1@[j] ? @p0@[i++] : @p1@[j++];
    }
    while (i < @p0@.Length) {
        result[k++] = @p0@[i++];
    }
    while (j < @p1@.Length) {
        result[k++] = @p1@[j++];
    }
    return result;
}
""",
        ((([1, 4, 9], [2, 3, 10]), [1, 2, 3, 4, 9, 10]), (([], [1]), [1]), (([5], []), [5])),
    ),
    Fn(
        ("dot_product", "inner_product", "scalar_product"),
        "Compute the dot product of two integer arrays of equal length.",
        (("first", "xs", "int[]"), ("second", "ys", "int[]")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    return sum(a * b for a, b in zip(@p0@, @p1@))
""",
        r"""
public static int @fn@(int[] @p0@, int[] @p1@) {
    int total = 0;
    for (int i = 0; i < @p0@.length; i++) {
        total += @p0@[i] * @p1@[i];
    }
    return total;
}
""",
        r"""
public static int @fn@(int[] @p0@, int[] @p1@) {
    int total = 0;
    for (int i = 0; i < @p0@.Length; i++) {
        total += @p0@[i] * @p1@[i];
    }
    return total;
}
""",
        ((([1, 2, 3], [4, 5, 6]), 32), (([], []), 0), (([-1, 2], [3, 4]), 5)),
    ),
    Fn(
        ("zero_pad", "pad_with_zeros", "left_pad_zeros"),
        "Pad a string on the left with zeros up to a given width.",
        (("text", "digits", "str"), ("width", "size", "int")),
        "str",
        r"""
def @fn@(@p0@, @p1@):
    missing = @p1@ - len(@p0@)
    if missing <= 0:
        return @p0@
    return "0" * missing + @p0@
""",
        r"""
public static String @fn@(String @p0@, int @p1@) {
    StringBuilder sb = new StringBuilder();
    for (int i = @p0@.length(); i < @p1@; i++) {
        sb.append('0');
    }
    return sb.append(@p0@).toString();
}
""",
        r"""
public static string @fn@(string @p0@, int @p1@) {
    return @p0@.PadLeft(@p1@, '0');
}
""",
        ((("42", 5), "00042"), (("12345", 3), "12345"), (("", 2), "00")),
    ),
    Fn(
        ("keep_alphanumeric", "strip_symbols", "alphanumeric_only"),
        "Remove every character of a string that is not an ASCII letter or digit.",
        (("text", "raw", "str"),),
        "str",
        r"""
def @fn@(@p0@):
    allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(ch for ch in @p0@ if ch in allowed)
""",
        r"""
public static String @fn@(String @p0@) {
    StringBuilder sb = new StringBuilder();
    for (char ch : @p0@.toCharArray()) {
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
            sb.append(ch);
        }
    }
    return sb.toString();
}
""",
        r"""
public static string @fn@(string @p0@) {
    StringBuilder sb = new StringBuilder();
    foreach (char ch in @p0@) {
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
            sb.Append(ch);
        }
    }
    return sb.ToString();
}
""",
        ((("a-b_c 1!",), "abc1"), (("",), ""), (("++",), "")),
    ),
    Fn(
        ("join_with_commas", "comma_join", "join_items"),
        "Join an array of strings with a comma followed by a space.",
        (("items", "parts", "str[]"),),
        "str",
        r"""
def @fn@(@p0@):
    return ", ".join(@p0@)
""",
        r"""
public static String @fn@(String[] @p0@) {
    return String.join(", ", @p0@);
}
""",
        r"""
public static string @fn@(string[] @p0@) {
    return string.Join(", ", @p0@);
}
""",
        (((["a", "b", "c"],), "a, b, c"), (([],), ""), ((["x"],), "x")),
    ),
    Fn(
        ("filter_long_words", "words_at_least", "keep_long_words"),
        "Return the words whose length is at least a minimum length, in their original order.",
        (("words", "tokens", "str[]"), ("minimum", "length", "int")),
        "str[]",
        r"""
def @fn@(@p0@, @p1@):
    return [word for word in @p0@ if len(word) >= @p1@]
""",
        r"""
public static String[] @fn@(String[] @p0@, int @p1@) {
    List<String> result = new ArrayList<>();
    for (String word : @p0@) {
        if (word.length() >= @p1@) {
            result.add(word);
        }
    }
    return result.toArray(new String[0]);
}
""",
        r"""
public static string[] @fn@(string[] @p0@, int @p1@) {
    List<string> result = new List<string>();
    foreach (string word in @p0@) {
        if (word.Length >= @p1@) {
            result.Add(word);
        }
    }
    return result.ToArray();
}
""",
        (((["a", "abc", "ab", "abcd"], 3), ["abc", "abcd"]), (([], 1), []), ((["hi"], 5), [])),
    ),
    Fn(
        ("count_uppercase", "uppercase_count", "count_capitals"),
        "Count the uppercase letters in a string.",
        (("text", "line", "str"),),
        "int",
        r"""
def @fn@(@p0@):
    return sum(1 for ch in @p0@ if ch.isupper())
""",
        r"""
public static int @fn@(String @p0@) {
    int count = 0;
    for (char ch : @p0@.toCharArray()) {
        if (Character.isUpperCase(ch)) {
            count++;
        }
    }
    return count;
}
""",
        r"""
public static int @fn@(string @p0@) {
    int count = 0;
    foreach (char ch in @p0@) {
        if (char.IsUpper(ch)) {
            count++;
        }
    }
    return count;
}
""",
        ((("Hello World",), 2), (("abc",), 0), (("ABC def G",), 4)),
    ),
    Fn(
        ("celsius_to_fahrenheit", "to_fahrenheit", "convert_to_fahrenheit"),
        "Convert a temperature from degrees Celsius to degrees Fahrenheit.",
        (("celsius", "degrees", "float"),),
        "float",
        r"""
def @fn@(@p0@):
    return @p0@ * 9.0 / 5.0 + 32.0
""",
        r"""
public static double @fn@(double @p0@) {
    return @p0@ * 9.0 / 5.0 + 32.0;
}
""",
        r"""
public static double @fn@(double @p0@) {
    return @p0@ * 9.0 / 5.0 + 32.0;
}
""",
        (((100.0,), 212.0), ((0.0,), 32.0), ((-40.0,), -40.0)),
    ),
    Fn(
        ("lcm", "least_common_multiple", "compute_lcm"),
        "Compute the least common multiple of two positive integers.",
        (("a", "first", "int"), ("b", "second", "int")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    x, y = @p0@, @p1@
    while y:
        x, y = y, x % y
    return @p0@ // x * @p1@
""",
        r"""
public static int @fn@(int @p0@, int @p1@) {
    int x = @p0@;
    int y = @p1@;
    while (y != 0) {
        int tmp = x % y;
        x = y;
        y = tmp;
    }
    return @p0@ / x * @p1@;
}
""",
        r"""
public static int @fn@(int @p0@, int @p1@) {
    int x = @p0@;
    int y = @p1@;
    while (y != 0) {
        int tmp = x % y;
        x = y;
        y = tmp;
    }
    return @p0@ / x * @p1@;
}
""",
        (((4, 6), 12), ((7, 3), 21), ((5, 5), 5)),
    ),
    Fn(
        ("reverse_array", "reversed_copy", "reverse_values"),
        "Return a new array with the elements of an integer array in reverse order.",
        (("values", "items", "int[]"),),
        "int[]",
        r"""
def @fn@(@p0@):
    return [@p0@[i] for i in range(len(@p0@) - 1, -1, -1)]
""",
        r"""
public static int[] @fn@(int[] @p0@) {
    int n = @p0@.length;
    int[] result = new int[n];
    for (int i = 0; i < n; i++) {
        result[i] = @p0@[n - 1 - i];
    }
    return result;
}
""",
        r"""
public static int[] @fn@(int[] @p0@) {
    int n = @p0@.Length;
    int[] result = new int[n];
    for (int i = 0; i < n; i++) {
        result[i] = @p0@[n - 1 - i];
    }
    return result;
}
""",
        ((([1, 2, 3],), [3, 2, 1]), (([],), []), (([7, 7, 1],), [1, 7, 7])),
    ),
    Fn(
        ("is_sorted", "is_non_decreasing", "check_sorted"),
        "Check whether an integer array is sorted in non-decreasing order.",
        (("values", "numbers", "int[]"),),
        "bool",
        r"""
def @fn@(@p0@):
    for i in range(1, len(@p0@)):
        if @p0@[i - 1] > @p0@[i]:
            return False
    return True
""",
        r"""
public static boolean @fn@(int[] @p0@) {
    for (int i = 1; i < @p0@.length; i++) {
        if (@p0@[i - 1] > @p0@[i]) {
            return false;
        }
    }
    return true;
}
""",
        r"""
public static bool @fn@(int[] @p0@) {
    for (int i = 1; i < @p0@.Length; i++) {
        if (@p0@[i - 1] > @p0@[i]) {
            return false;
        }
    }
    return true;
}
""",
        ((([1, 2, 2, 5],), True), (([3, 1],), False), (([],), True)),
    ),
    Fn(
        ("sum_of_squares", "square_sum", "sum_squares_up_to"),
        "Return the sum of the squares of the integers from 1 to n.",
        (("n", "limit", "int"),),
        "int",
        r"""
def @fn@(@p0@):
    total = 0
    for i in range(1, @p0@ + 1):
        total += i * i
    return total
""",
        r"""
public static int @fn@(int @p0@) {
    int total = 0;
    for (int i = 1; i <= @p0@; i++) {
        total += i * i;
    }
    return total;
}
""",
        r"""
public static int @fn@(int @p0@) {
    int total = 0;
    for (int i = 1; i <= @p0@; i++) {
        total += i * i;
    }
    return total;
}
""",
        (((3,), 14), ((0,), 0), ((10,), 385)),
    ),
    Fn(
        ("common_prefix", "longest_common_prefix", "shared_prefix"),
        "Return the longest common prefix of two strings.",
        (("first", "left", "str"), ("second", "right", "str")),
        "str",
        r"""
def @fn@(@p0@, @p1@):
    i = 0
    while i < len(@p0@) and i < len(@p1@) and @p0@[i] == @p1@[i]:
        i += 1
    return @p0@[:i]
""",
        r"""
public static String @fn@(String @p0@, String @p1@) {
    int i = 0;
    while (i < @p0@.length() && i < @p1@.length() && @p0@.charAt(i) == @p1@.charAt(i)) {
        i++;
    }
    return @p0@.substring(0, i);
}
""",
        r"""
public static string @fn@(string @p0@, string @p1@) {
    int i = 0;
    while (i < @p0@.Length && i < @p1@.Length && @p0@[i] == @p1@[i]) {
        i++;
    }
    return @p0@.Substring(0, i);
}
""",
        ((("flower", "flow"), "flow"), (("dog", "car"), ""), (("", "abc"), "")),
    ),
    Fn(
        ("hamming_distance", "count_mismatches", "position_differences"),
        "Count the positions at which two strings of equal length differ.",
        (("first", "left", "str"), ("second", "right", "str")),
        "int",
        r"""
def @fn@(@p0@, @p1@):
    return sum(1 for a, b in zip(@p0@, @p1@) if a != b)
""",
        r"""
public static int @fn@(String @p0@, String @p1@) {
    int count = 0;
    for (int i = 0; i < @p0@.length(); i++) {
        if (@p0@.charAt(i) != @p1@.charAt(i)) {
            count++;
        }
    }
    return count;
}
""",
        r"""
public static int @fn@(string @p0@, string @p1@) {
    int count = 0;
    for (int i = 0; i < @p0@.Length; i++) {
        if (@p0@[i] != @p1@[i]) {
            count++;
        }
    }
    return count;
}
""",
        ((("karolin", "kathrin"), 3), (("", ""), 0), (("abc", "abc"), 0)),
    ),
    Fn(
        ("count_in_range", "count_between", "range_count"),
        "Count the elements of an array that lie in the inclusive range between two bounds.",
        (("values", "numbers", "int[]"), ("low", "lower", "int"), ("high", "upper", "int")),
        "int",
        r"""
def @fn@(@p0@, @p1@, @p2@):
    count = 0
    for value in @p0@:
        if @p1@ <= value <= @p2@:
            count += 1
    return count
""",
        r"""
public static int @fn@(int[] @p0@, int @p1@, int @p2@) {
    int count = 0;
    for (int value : @p0@) {
        if (value >= @p1@ && value <= @p2@) {
            count++;
        }
    }
    return count;
}
""",
        r"""
public static int @fn@(int[] @p0@, int @p1@, int @p2@) {
    int count = 0;
    foreach (int value in @p0@) {
        if (value >= @p1@ && value <= @p2@) {
            count++;
        }
    }
    return count;
}
""",
        ((([1, 5, 10, 15], 5, 10), 2), (([], 0, 1), 0), (([-2, 0, 2], -1, 1), 1)),
    ),
    Fn(
        ("repeat_characters", "double_letters", "stutter_text"),
        "Return a string in which every character of the input is repeated a given number of times.",
        (("text", "word", "str"), ("times", "factor", "int")),
        "str",
        r"""
def @fn@(@p0@, @p1@):
    return "".join(ch * @p1@ for ch in @p0@)
""",
        r"""
public static String @fn@(String @p0@, int @p1@) {
    StringBuilder sb = new StringBuilder();
    for (char ch : @p0@.toCharArray()) {
        for (int i = 0; i < @p1@; i++) {
            sb.append(ch);
        }
    }
    return sb.toString();
}
""",
        r"""
public static string @fn@(string @p0@, int @p1@) {
    StringBuilder sb = new StringBuilder();
    foreach (char ch in @p0@) {
        sb.Append(ch, @p1@);
    }
    return sb.ToString();
}
""",
        ((("abc", 2), "aabbcc"), (("", 3), ""), (("xy", 0), "")),
    ),
]


# =============================================================================== generator


REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "codepeft" / "resources" / "embedded"
SPLIT_FUNCTIONS = {"train": slice(0, 31), "valid": slice(31, 34), "test": slice(34, 43)}
#: train: every training function under 3 name/parameter/docstring variants (+3 more); test: 4
#: variants of each of the 9 test functions (>= 30 items: enough for a paired test)
ROWS = {"train": 96, "valid": 12, "test": 36}
HELD_OUT = slice(31, 43)  # never trained on: the generation tasks and the summarization eval set
#: generation tasks that are training functions, verbatim (a recall check: a model that learned
#: nothing, or whose adapter was not applied, fails them); the held-out ones test generalization
RECALL = (  # the 8 training functions with the shortest Python code
    "count_words", "mean", "is_power_of_two", "count_occurrences",
    "gcd", "dot_product", "reverse_words", "is_palindrome",
)  # fmt: skip
SUMEVAL_VARIANTS = 3  # held-out functions x 3 name/parameter variants = 36 summarization items
PY_REPO, JAVA_REPO = "codepeft-embedded/pyutils", "codepeft-embedded/jutils"
#: generation tasks whose tests the study would call "unreliable" (exercises the discard list)
DISCARDED = {"python": ["hamming_distance"], "java": ["hamming_distance", "repeat_characters"]}
TYPE_WORDS = {
    "int": "integer",
    "float": "number",
    "bool": "flag",
    "str": "string",
    "int[]": "array of integers",
    "str[]": "array of strings",
}
JAVA_TYPES = {
    "int": "int",
    "float": "double",
    "bool": "boolean",
    "str": "String",
    "int[]": "int[]",
    "str[]": "String[]",
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def hexid(*parts: str, n: int = 24) -> str:
    return hashlib.sha1(":".join(parts).encode()).hexdigest()[:n]


def module_of(fn: Fn) -> str:
    types = {t for _, _, t in fn.params} | {fn.ret}
    if types & {"str", "str[]"}:
        return "text"
    if "int[]" in types:
        return "arrays"
    return "numbers"


def render(template: str, fn: Fn, name: str, variant: int) -> str:
    out = template.strip("\n") + "\n"
    out = out.replace("@fn@", name)
    for i, (p, alt, _) in enumerate(fn.params):
        out = out.replace(f"@p{i}@", alt if variant % 2 else p)
    return out


def param_names(fn: Fn, variant: int) -> list[str]:
    return [alt if variant % 2 else p for p, alt, _ in fn.params]


def python_code(fn: Fn, variant: int, with_docstring: bool = True) -> str:
    """Python source; variant chooses the name, parameter names and docstring style."""
    name = fn.names[variant % len(fn.names)]
    code = render(fn.py, fn, name, variant)
    if not with_docstring:
        return code
    header, body = code.split("\n", 1)
    if variant % 2 == 0:
        doc = f'    """{fn.doc}"""\n'
    else:
        lines = ['    """', f"    {fn.doc}", ""]
        for p, (_, _, t) in zip(param_names(fn, variant), fn.params, strict=True):
            lines.append(f"    :param {p}: the input {TYPE_WORDS[t]}")
        lines += [f"    :return: the resulting {TYPE_WORDS[fn.ret]}", '    """']
        doc = "\n".join(lines) + "\n"
    return header + "\n" + doc + body


def java_code(fn: Fn, variant: int) -> str:
    return render(fn.java, fn, camel(fn.names[variant % len(fn.names)]), variant)


def cs_code(fn: Fn, variant: int) -> str:
    return render(fn.cs, fn, pascal(fn.names[variant % len(fn.names)]), variant)


def java_docstring(fn: Fn, variant: int) -> str:
    if variant % 2 == 0:
        return fn.doc
    lines = [fn.doc]
    for p, (_, _, t) in zip(param_names(fn, variant), fn.params, strict=True):
        lines.append(f"@param {p} the input {TYPE_WORDS[t]}")
    lines.append(f"@return the resulting {TYPE_WORDS[fn.ret]}")
    return "\n".join(lines)


def one_line(code: str) -> str:
    """A method on one line, the way CodeXGLUE's translation files store it."""
    out = ""
    for line in (raw.strip() for raw in code.strip().splitlines()):
        if not line:
            continue
        glue = "" if (not out or out[-1] in "{;}" or line.startswith("}")) else " "
        out += glue + line
    return out


# ------------------------------------------------------------------------------ tokens

_JAVA_TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|\d+\.\d+|\w+|'
    r"\+\+|--|&&|\|\||==|!=|<=|>=|\+=|-=|\*=|/=|%=|->|[^\w\s]"
)


def java_tokens(code: str) -> list[str]:
    return _JAVA_TOKEN.findall(code)


def python_tokens(code: str) -> list[str]:
    """Code tokens without the docstring, comments and layout tokens (CodeXGLUE style)."""
    skip = {
        tokenize.NEWLINE,
        tokenize.NL,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.COMMENT,
        tokenize.ENDMARKER,
    }
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]
    colon = len(tokens)
    depth = 0
    for i, t in enumerate(tokens):
        if t.string in "([{":
            depth += 1
        elif t.string in ")]}":
            depth -= 1
        elif t.string == ":" and depth == 0:
            colon = i
            break
    out = [t.string for t in tokens]
    if colon + 1 < len(tokens) and tokens[colon + 1].type == tokenize.STRING:
        del out[colon + 1]
    return out


def doc_tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


# ------------------------------------------------------------------------------ rows


def rows_for(split: str) -> list[tuple[Fn, int]]:
    """(function, variant) pairs of a split: functions cycled, variant = round number."""
    fns = CATALOGUE[SPLIT_FUNCTIONS[split]]
    return [(fns[r % len(fns)], r // len(fns)) for r in range(ROWS[split])]


def code_to_text_row(fn: Fn, variant: int, lang: str, split: str, line_offset: int) -> dict:
    module = module_of(fn)
    if lang == "python":
        code = python_code(fn, variant)
        repo, path = PY_REPO, f"pyutils/{module}.py"
        func_name = fn.names[variant % len(fn.names)]
        docstring = fn.doc if variant % 2 == 0 else python_code(fn, variant).split('"""')[1]
        docstring = "\n".join(line.strip() for line in docstring.strip().splitlines())
        tokens = python_tokens(code)
    else:
        code = java_code(fn, variant)
        repo, path = JAVA_REPO, f"src/main/java/org/codepeft/{module.capitalize()}Utils.java"
        func_name = f"{module.capitalize()}Utils.{camel(fn.names[variant % len(fn.names)])}"
        docstring = java_docstring(fn, variant)
        tokens = java_tokens(code)
    code = code.rstrip("\n")
    sha = hexid(repo, path, n=40)
    n_lines = code.count("\n") + 1
    return {
        "repo": repo,
        "path": path,
        "func_name": func_name,
        "original_string": code,
        "language": lang,
        "code": code,
        "code_tokens": tokens,
        "docstring": docstring,
        "docstring_tokens": doc_tokens(fn.doc),
        "sha": sha,
        "url": f"https://github.com/{repo}/blob/{sha}/{path}#L{line_offset}-L{line_offset + n_lines - 1}",
        "partition": split,
    }


def py_literal(value, t: str) -> str:
    return repr(float(value)) if t == "float" else repr(value)


def java_literal(value, t: str) -> str:
    if t == "bool":
        return "true" if value else "false"
    if t == "str":
        return json.dumps(value)
    if t == "float":
        return repr(float(value))
    if t == "int":
        return str(value)
    inner = ", ".join(java_literal(v, t[:-2]) for v in value)
    return f"new {JAVA_TYPES[t]}{{{inner}}}"


def python_test(fn: Fn, name: str) -> str:
    lines = []
    for i, (args, expected) in enumerate(fn.tests, 1):
        call = f"{name}({', '.join(py_literal(a, t) for a, (_, _, t) in zip(args, fn.params, strict=True))})"
        if fn.ret == "float":
            lines.append(f"assert abs({call} - {py_literal(expected, 'float')}) < 1e-9, 'case {i}'")
        else:
            lines.append(f"assert {call} == {py_literal(expected, fn.ret)}, 'case {i}'")
    return "\n".join(lines) + "\n"


def java_checks(fn: Fn, name: str, owner: str = "Solution") -> list[str]:
    checks = []
    for args, expected in fn.tests:
        call = f"{owner}.{name}({', '.join(java_literal(a, t) for a, (_, _, t) in zip(args, fn.params, strict=True))})"
        exp = java_literal(expected, fn.ret)
        if fn.ret in ("int", "bool"):
            checks.append(f"{call} == {exp}")
        elif fn.ret == "float":
            checks.append(f"Math.abs({call} - {exp}) < 1e-9")
        elif fn.ret == "str":
            checks.append(f"Objects.equals({call}, {exp})")
        else:
            checks.append(f"Arrays.equals({call}, {exp})")
    return checks


def java_test(fn: Fn, name: str) -> str:
    body = []
    for i, check in enumerate(java_checks(fn, name), 1):
        body.append(f"        if (!({check})) {{")
        body.append(f'            System.out.println("FAIL case {i}");')
        body.append("            System.exit(1);")
        body.append("        }")
    return (
        "import java.util.*;\n\npublic class TestMain {\n"
        "    public static void main(String[] args) {\n"
        + "\n".join(body)
        + '\n        System.out.println("OK");\n    }\n}\n'
    )


def python_signature(code: str) -> str:
    return code.split("\n", 1)[0]


def java_signature(code: str) -> str:
    return code.split("\n", 1)[0]


def build(out: Path) -> dict[str, int]:
    if out.exists():
        shutil.rmtree(out)
    counts: dict[str, int] = {}

    def write_jsonl(path: Path, rows: list[dict]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[str(path.relative_to(out))] = len(rows)

    # code-to-text
    for lang in ("python", "java"):
        for split in ("train", "valid", "test"):
            rows, offset = [], 10
            for fn, variant in rows_for(split):
                rows.append(code_to_text_row(fn, variant, lang, split, offset))
                offset += 40
            write_jsonl(out / "code-to-text" / lang / f"{split}.jsonl", rows)

    # translation: parallel one-line methods
    trans = out / "code-to-code-trans"
    trans.mkdir(parents=True, exist_ok=True)
    for split in ("train", "valid", "test"):
        pairs = [
            (one_line(java_code(fn, v)), one_line(cs_code(fn, v))) for fn, v in rows_for(split)
        ]
        for ext, idx in (("java", 0), ("cs", 1)):
            (trans / f"{split}.java-cs.txt.{ext}").write_text("".join(p[idx] + "\n" for p in pairs))
        counts[f"code-to-code-trans/{split}"] = len(pairs)

    # CoderEval-style generation tasks, from the functions never used for training
    held_out = CATALOGUE[HELD_OUT]
    recall = [fn for fn in CATALOGUE[SPLIT_FUNCTIONS["train"]] if fn.names[0] in RECALL]
    ce = out / "codereval"
    prompts: dict[str, list[dict]] = {"python": [], "java": []}
    solutions, tests = [], []
    levels: dict[str, dict[str, str]] = {"python": {}, "java": {}}
    discard: dict[str, list[str]] = {
        "CoderEval Python Ids with Unreliable Tests": [],
        "CoderEval Java Ids with Unreliable Tests": [],
    }
    for fn in held_out + recall:
        for lang in ("python", "java"):
            qid = hexid("codereval", lang, fn.names[0])
            if lang == "python":
                code = python_code(fn, 0, with_docstring=False)
                name = fn.names[0]
                signature = python_signature(code)
                prompt = f'{signature}\n\t"""\n\t{fn.doc}\n\t"""\n\t'
                test = python_test(fn, name)
            else:
                code = java_code(fn, 0)
                name = camel(fn.names[0])
                signature = java_signature(code)
                prompt = f"/**{fn.doc}**/\n{signature}"
                test = java_test(fn, name)
            prompts[lang].append(
                {"question_id": qid, "input": prompt, "signature": signature, "docstring": fn.doc}
            )
            solutions.append({"id": qid, "language": lang, "code": code})
            tests.append({"id": qid, "language": lang, "test": test})
            levels[lang][qid] = "self_contained"
            if fn.names[0] in DISCARDED[lang]:
                key = f"CoderEval {'Python' if lang == 'python' else 'Java'} Ids with Unreliable Tests"
                discard[key].append(qid)
    write_jsonl(ce / "CEPythonHumanLabel.jsonl", prompts["python"])
    write_jsonl(ce / "CEJavaHumanLabel.jsonl", prompts["java"])
    write_jsonl(ce / "solutions.jsonl", solutions)
    write_jsonl(ce / "tests.jsonl", tests)
    (ce / "ids_to_discard.json").write_text(json.dumps(discard, indent=4) + "\n")
    (ce / "levels_by_id.json").write_text(json.dumps(levels, indent=1) + "\n")

    # summarization eval set: held-out functions under their third name, no docstring
    ev = out / "summarization-eval"
    for lang, suffix in (("java", "java"), ("python", "py")):
        rows = []
        for v in (2, 1, 0)[:SUMEVAL_VARIANTS]:  # variant 2 first: the names training never used
            for fn in held_out:
                code = (
                    java_code(fn, v) if lang == "java" else python_code(fn, v, with_docstring=False)
                )
                rows.append(
                    {
                        "id": hexid("sumeval", lang, fn.names[0], *(() if v == 2 else (str(v),))),
                        "code": code,
                        "reference_summary": fn.doc,
                    }
                )
        write_jsonl(ev / f"cs_codereval_eval_dataset_{suffix}_v2.jsonl", rows)
    return counts


# ------------------------------------------------------------------------------ checks


def check_python() -> None:
    """Every catalogue function, every name/parameter variant, passes its tests in Python."""
    for fn in CATALOGUE:
        for variant in range(3):
            namespace: dict = {}
            code = python_code(fn, variant)
            exec(compile(code, f"<{fn.names[0]}:{variant}>", "exec"), namespace)  # noqa: S102
            exec(python_test(fn, fn.names[variant % len(fn.names)]), namespace)  # noqa: S102


def check_java() -> str:
    """All Java variants in one class, all tests in one main: one javac, one java run."""
    if not (shutil.which("javac") and shutil.which("java")):
        return "skipped (no javac)"
    methods, checks = [], []
    for fn in CATALOGUE:
        for variant in range(3):
            methods.append(java_code(fn, variant))
            name = camel(fn.names[variant % len(fn.names)])
            checks += [(f"{fn.names[0]}:{variant}", c) for c in java_checks(fn, name, "All")]
    main = "\n".join(
        f'        if (!({c})) {{ System.out.println("FAIL {label}"); System.exit(1); }}'
        for label, c in checks
    )
    source = (
        "import java.util.*;\npublic class All {\n"
        + "\n".join(methods)
        + "\n    public static void main(String[] args) {\n"
        + main
        + '\n        System.out.println("OK");\n    }\n}\n'
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "All.java").write_text(source)
        subprocess.run(["javac", "-nowarn", "All.java"], cwd=tmp, check=True)
        run = subprocess.run(["java", "-cp", tmp, "All"], capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"Java check failed: {run.stdout}{run.stderr}")
    return f"ok ({len(checks)} checks)"


def check_csharp() -> str:
    """C# variants compile with mono's mcs when it is installed (a syntax/type check only)."""
    mcs = shutil.which("mcs")
    if not mcs:
        return "skipped (no mcs)"
    methods = [cs_code(fn, v) for fn in CATALOGUE for v in range(3)]
    source = (
        "using System;\nusing System.Collections.Generic;\nusing System.Text;\n"
        "public static class All {\n" + "\n".join(methods) + "\n}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "All.cs").write_text(source)
        run = subprocess.run(
            [mcs, "-target:library", "All.cs"], cwd=tmp, capture_output=True, text=True
        )
        if run.returncode != 0:
            raise SystemExit(f"C# check failed: {run.stdout}{run.stderr}")
    return "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-check", action="store_true", help="skip the Python/Java/C# checks")
    args = parser.parse_args(argv)
    names = [n for fn in CATALOGUE for n in fn.names]
    assert len(names) == len(set(names)), "catalogue names must be unique"
    if not args.no_check:
        check_python()
        print("python check: ok", file=sys.stderr)
        print(f"java check: {check_java()}", file=sys.stderr)
        print(f"c# check: {check_csharp()}", file=sys.stderr)
    readme = (args.out / "README.md").read_text() if (args.out / "README.md").exists() else None
    counts = build(args.out)
    if readme is not None:
        (args.out / "README.md").write_text(readme)
    for key, value in counts.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
