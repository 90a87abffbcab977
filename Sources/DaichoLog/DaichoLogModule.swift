/// The DaichoLog module. See docs/architecture.md.
public enum DaichoLogModule {}
