import unittest

from textstats import average_word_length, word_count


class WordCountTest(unittest.TestCase):
    def test_empty_text_has_no_words(self):
        self.assertEqual(word_count(""), 0)

    def test_single_spaces(self):
        self.assertEqual(word_count("the quick brown fox"), 4)

    def test_repeated_spaces_and_newlines(self):
        self.assertEqual(word_count("  the quick\n\nbrown   fox "), 4)


class AverageWordLengthTest(unittest.TestCase):
    def test_mean_length(self):
        self.assertEqual(average_word_length("ab abcd"), 3.0)

    def test_blank_text(self):
        self.assertEqual(average_word_length("   "), 0.0)


if __name__ == "__main__":
    unittest.main()
