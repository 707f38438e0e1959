"""The one CJK font search shared by the ticket and the hall screen."""

from photoqueue import cjkfont
from photoqueue.display import fonts as display_fonts
from photoqueue.printer import fonts as printer_fonts


def test_ticket_and_screen_find_the_same_font():
    assert printer_fonts.find_cjk_font() == display_fonts.find_font(None) == cjkfont.find_cjk_font()


def test_without_a_known_file_fontconfig_names_a_chinese_font(monkeypatch):
    monkeypatch.setattr(cjkfont, "CANDIDATES", [])
    found = cjkfont.find_cjk_font()
    assert found in cjkfont.fontconfig_fonts()  # fonts-wqy-microhei is installed by make test


def test_a_missing_preferred_font_falls_back_with_a_warning(tmp_path, caplog):
    assert cjkfont.find_cjk_font(str(tmp_path / "gone.ttf")) == cjkfont.find_cjk_font()
    assert "gone.ttf not found" in caplog.text
