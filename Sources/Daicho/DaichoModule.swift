/// The Daicho module. See docs/architecture.md.
public enum DaichoModule {}
