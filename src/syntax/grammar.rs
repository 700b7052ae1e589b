//! The pest grammar (`grammar/skuld.pest`) and its generated [`Rule`] enum. A leaf of `syntax`:
//! the parser, its error messages and the rule names all import it, and it imports none of them.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/skuld.pest"]
pub(super) struct PolicyParser;

#[cfg(test)]
mod tests {
    use pest::Parser as _;

    use super::{PolicyParser, Rule};
    use crate::syntax::lexical::{RESERVED, is_ident};

    /// The grammar's `reserved` rule, as written in `grammar/skuld.pest`.
    fn reserved_rule() -> &'static str {
        let grammar = include_str!("../../grammar/skuld.pest");
        let start = grammar.find("\nreserved").unwrap();
        let rule = &grammar[start..];
        let end = rule.find("~ !ident_char").unwrap();
        &rule[..end]
    }

    #[test]
    fn the_grammar_reserves_exactly_the_listed_words() {
        let mut in_grammar: Vec<&str> = reserved_rule().split('"').skip(1).step_by(2).collect();
        in_grammar.sort_unstable();
        let mut listed = RESERVED.to_vec();
        listed.sort_unstable();
        assert_eq!(in_grammar, listed);
    }

    #[test]
    fn every_listed_word_fails_to_parse_as_an_identifier() {
        for word in RESERVED {
            assert!(PolicyParser::parse(Rule::ident, word).is_err(), "{word}");
            assert!(!is_ident(word), "{word}");
            // Only the whole word is reserved: one more character makes an identifier.
            let longer = format!("{word}_x");
            let parsed = PolicyParser::parse(Rule::ident, &longer).unwrap();
            assert_eq!(parsed.as_str(), longer);
            assert!(is_ident(&longer), "{longer}");
        }
    }
}
