//! Graph's field-expansion syntax:
//! `id,name,business{id,name},adspixels.limit(25){id,name},insights.date_preset(today){spend}`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    /// `.limit(25)` → `("limit", "25")`
    pub modifiers: Vec<(String, String)>,
    pub children: Option<Vec<FieldSpec>>,
}

impl FieldSpec {
    pub fn modifier(&self, key: &str) -> Option<&str> {
        self.modifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse(input: &str) -> Result<Vec<FieldSpec>, String> {
    let chars: Vec<char> = input.chars().filter(|c| !c.is_whitespace()).collect();
    let mut pos = 0;
    let fields = parse_list(&chars, &mut pos)?;
    if pos != chars.len() {
        return Err(format!("unexpected '{}' at {pos}", chars[pos]));
    }
    Ok(fields)
}

fn parse_list(chars: &[char], pos: &mut usize) -> Result<Vec<FieldSpec>, String> {
    let mut fields = Vec::new();
    loop {
        if *pos >= chars.len() || chars[*pos] == '}' {
            break;
        }
        fields.push(parse_field(chars, pos)?);
        if *pos < chars.len() && chars[*pos] == ',' {
            *pos += 1;
        } else {
            break;
        }
    }
    Ok(fields)
}

fn parse_name(chars: &[char], pos: &mut usize) -> Result<String, String> {
    let start = *pos;
    while *pos < chars.len() && (chars[*pos].is_ascii_alphanumeric() || chars[*pos] == '_') {
        *pos += 1;
    }
    if start == *pos {
        return Err(format!("expected a field name at {start}"));
    }
    Ok(chars[start..*pos].iter().collect())
}

fn parse_field(chars: &[char], pos: &mut usize) -> Result<FieldSpec, String> {
    let name = parse_name(chars, pos)?;
    let mut modifiers = Vec::new();
    while *pos < chars.len() && chars[*pos] == '.' {
        *pos += 1;
        let key = parse_name(chars, pos)?;
        if chars.get(*pos) != Some(&'(') {
            return Err(format!("expected '(' after .{key}"));
        }
        *pos += 1;
        let start = *pos;
        while *pos < chars.len() && chars[*pos] != ')' {
            *pos += 1;
        }
        if *pos >= chars.len() {
            return Err(format!("unclosed .{key}("));
        }
        modifiers.push((key, chars[start..*pos].iter().collect()));
        *pos += 1;
    }
    let children = if chars.get(*pos) == Some(&'{') {
        *pos += 1;
        let list = parse_list(chars, pos)?;
        if chars.get(*pos) != Some(&'}') {
            return Err("unclosed '{'".to_owned());
        }
        *pos += 1;
        Some(list)
    } else {
        None
    };
    Ok(FieldSpec {
        name,
        modifiers,
        children,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_expansions_with_modifiers() {
        let f = parse("id,business{id,name},adspixels.limit(25){id,last_fired_time},insights.date_preset(today).time_increment(1){spend}").unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[1].children.as_ref().unwrap().len(), 2);
        assert_eq!(f[2].modifier("limit"), Some("25"));
        assert_eq!(f[3].modifier("date_preset"), Some("today"));
        assert_eq!(f[3].modifier("time_increment"), Some("1"));
    }

    #[test]
    fn rejects_broken_syntax() {
        assert!(parse("id,business{id").is_err());
        assert!(parse("adspixels.limit(25").is_err());
        assert!(parse("id,,name").is_err());
    }
}
